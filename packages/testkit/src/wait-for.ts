/** Polling for a condition that becomes true asynchronously (a delivery, a file, a log line). */

/**
 * Resolves with the first truthy value of `predicate`, polled every `intervalMs`; rejects after `timeoutMs`
 * with the last error the predicate threw, if any.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs = 5_000,
  intervalMs = 10,
): Promise<NonNullable<T>> {
  const giveUpAt = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= giveUpAt) {
      throw new Error(`waitFor: condition not met within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
