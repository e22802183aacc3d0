// check-queue: a look at the outbound queue for mail that is not leaving. Messages still queued an hour after
// they were accepted (remote servers deferring, DNS failing, the outbound process down) and messages that failed
// for good in the last window are alerted on. It reads the most recent `window` queue entries (the control
// store lists by age); a queue deeper than that is itself reported as a warning.
import type { ControlStore, QueueItemSummary } from '@mailyard/control';
import type { AlertFn } from './alert.js';

export interface QueueCheckReport {
  examined: number;
  delayed: number;
  failed: number;
  [key: string]: unknown;
}

export interface QueueCheckOptions {
  alert: AlertFn;
  /** Queued longer than this counts as delayed. Default 1 h. */
  delayedAfterMs?: number;
  /** Entries examined. Default 1000. */
  window?: number;
  now?: () => number;
}

const describe = (item: QueueItemSummary) => ({
  id: item.id,
  attempts: item.attempts,
  lastError: item.lastError,
  createdAt: item.createdAt.toISOString(),
});

export async function checkQueue(
  control: Pick<ControlStore, 'listRecent'>,
  options: QueueCheckOptions,
): Promise<QueueCheckReport> {
  const now = (options.now ?? Date.now)();
  const delayedAfterMs = options.delayedAfterMs ?? 3600_000;
  const window = options.window ?? 1000;
  const items = await control.listRecent(window);
  const delayed = items.filter((i) => i.state === 'queued' && now - i.createdAt.getTime() > delayedAfterMs);
  const failed = items.filter((i) => i.state === 'failed' && now - i.createdAt.getTime() <= delayedAfterMs);
  if (delayed.length > 0) {
    options.alert('warn', `${delayed.length} outbound message(s) queued for over an hour`, {
      oldest: delayed.slice(-5).map(describe),
    });
  }
  if (failed.length > 0) {
    options.alert('info', `${failed.length} outbound message(s) failed permanently in the last hour`, {
      examples: failed.slice(0, 5).map(describe),
    });
  }
  if (items.length === window) options.alert('warn', `outbound queue holds at least ${window} recent entries`, {});
  return { examined: items.length, delayed: delayed.length, failed: failed.length };
}
