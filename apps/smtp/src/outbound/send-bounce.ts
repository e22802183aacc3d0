/**
 * Returning a bounce to the envelope sender of a failed message: to the sender's mailbox (or through SRS back to
 * the original sender) when the sender is hosted here, else through the outbound queue. Bounces carry the null
 * envelope sender, and a message with the null sender never gets one (RFC 5321 §4.5.5, §6.1: no loops).
 */
import { type QueueItem, splitAddress } from '@mailyard/control';
import { metrics } from '@mailyard/monitor';
import type { SmtpContext } from '../deps.js';
import { bodyOf } from '../received-message.js';
import { deliverLocally, resolveLocal } from '../routing.js';
import { buildBounce } from './bounce.js';
import { enqueueOutbound } from './enqueue.js';
import type { RecipientResult } from './results.js';

export async function sendBounce(ctx: SmtpContext, item: QueueItem, failed: RecipientResult[]): Promise<void> {
  const to = item.envelopeFrom;
  if (to === '') return;
  const body = buildBounce({
    hostname: ctx.config.hostname,
    to,
    queueId: item.id,
    arrivalDate: item.createdAt,
    failed,
    original: item.body,
    ...(item.dsn ? { dsn: item.dsn } : {}),
  });
  const domain = splitAddress(to)?.domain;
  const hosted = domain ? await ctx.control.isHostedDomain(domain) : false;
  const local = hosted ? await resolveLocal(ctx, to) : null;
  if (hosted && !local) {
    ctx.logger.info({ queueId: item.id }, 'bounce dropped: the sender address no longer exists here');
    return;
  }
  if (local) await deliverLocally(ctx, { body: bodyOf(body), envelopeFrom: '', recipients: [local] });
  else await enqueueOutbound(ctx, { envelopeFrom: '', recipients: [to], body });
  metrics.messages.inc({ direction: 'bounced' });
}
