/**
 * consume(): a fixed-window limit over any RateLimitStore, through limits' RateLimiter so that the windowing
 * rules live in one place (packages/limits). One atomic increment per call, so instances sharing a store share
 * the limit exactly.
 */
import { RateLimiter, type RateLimitResult, type RateLimitStore } from '@mailyard/limits';

export function consumeFrom(
  store: RateLimitStore,
  key: string,
  points: number,
  windowMs: number,
  cost = 1,
): Promise<RateLimitResult> {
  return new RateLimiter({ points, durationMs: windowMs, window: 'fixed', store }).consume(key, cost);
}
