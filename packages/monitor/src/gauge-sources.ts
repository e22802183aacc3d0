/**
 * What the gauges that are read at scrape time look at: the byte budgets of this process (mailyard_byte_budget_
 * in_use_bytes, their sum) and the outbound queue (mailyard_queue_depth, mailyard_queue_bytes). Apps register the
 * source where they build it; a budget is held weakly, so a server that is gone stops counting.
 */

/** The part of limits' ByteBudget a gauge reads (monitor does not depend on limits). */
export interface WatchedBudget {
  readonly inUse: number;
}

/** What the outbound queue holds now: messages still queued and the bytes of their stored bodies. */
export interface QueueSnapshot {
  messages: number;
  bytes: number;
}

const budgets = new Set<WeakRef<WatchedBudget>>();
let queueSource: (() => Promise<QueueSnapshot>) | undefined;

/** Counts `budget` in mailyard_byte_budget_in_use_bytes from now on. */
export function watchByteBudget(budget: WatchedBudget): void {
  budgets.add(new WeakRef(budget));
}

/** Bytes reserved now across the watched budgets of this process. */
export function budgetBytesInUse(): number {
  let sum = 0;
  for (const ref of budgets) {
    const budget = ref.deref();
    if (budget) sum += budget.inUse;
    else budgets.delete(ref);
  }
  return sum;
}

/** Reads the outbound queue at each scrape through `source` (the process that delivers it); returns the undo. */
export function watchOutboundQueue(source: () => Promise<QueueSnapshot>): () => void {
  queueSource = source;
  return () => {
    if (queueSource === source) queueSource = undefined;
  };
}

/** The queue as `source` reports it, or undefined when no source is registered or it failed (a closed store). */
export async function queueSnapshot(): Promise<QueueSnapshot | undefined> {
  try {
    return await queueSource?.();
  } catch {
    return undefined;
  }
}
