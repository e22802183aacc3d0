/**
 * The one way SMTP code puts a message on the outbound queue: store it in the control store, then wake the
 * outbound workers (SmtpDeps.queueWakeups, a Coordination's queue) so one claims it at once instead of at its next
 * poll. The wake-up is a hint sent only after the item is committed; a lost one costs at most a poll interval.
 */
import type { NewQueueItem, QueueItemSummary } from '@mailyard/control';
import type { SmtpContext } from '../deps.js';

export async function enqueueOutbound(ctx: SmtpContext, item: NewQueueItem): Promise<QueueItemSummary> {
  const queued = await ctx.control.enqueue(item);
  ctx.queueWakeups?.notify();
  return queued;
}
