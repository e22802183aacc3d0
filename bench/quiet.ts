/**
 * Waiting for this process to go quiet: the mail store builds the full-text index of new mail in the background
 * (short turns while the mailbox is open), and a figure taken meanwhile measures the indexing too. Done when the
 * event loop has been nearly idle (under 5 %) for two half-seconds in a row, or after `limitMs`.
 */
export async function untilEventLoopQuiet(limitMs = 300_000): Promise<void> {
  const giveUp = Date.now() + limitMs;
  let quiet = 0;
  let last = performance.eventLoopUtilization();
  while (quiet < 2 && Date.now() < giveUp) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = performance.eventLoopUtilization();
    quiet = performance.eventLoopUtilization(now, last).utilization < 0.05 ? quiet + 1 : 0;
    last = now;
  }
}
