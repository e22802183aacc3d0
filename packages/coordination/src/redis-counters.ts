/**
 * Windowed counters in Redis for limits' RateLimiter (RateLimitStore) and LoginGate (LoginFailureStore): one
 * atomic script per increment, so every instance sees one count. While Redis is unusable they count in this
 * process (the fallback stores); those counts are not carried back to Redis, so during an outage a limit holds
 * per process, as it did before Redis was configured.
 *
 * Why not rate-limiter-flexible (11.4.0, read before choosing): its Redis limiter counts in whole seconds (the
 * window is floored to seconds, and a window under one second gets no expiry at all), fixes points and duration
 * per limiter object where these stores take the window per call, and falls back per limiter object (its
 * insurance limiter) where this package falls back for every member at once with one warning. The windowing
 * rules already live in limits' RateLimiter and LoginGate; what they lacked is the atomic counter below.
 */
import type { LoginFailureStore, RateLimitStore } from '@mailyard/limits';
import type { RedisLink } from './redis-link.js';

export interface Counter {
  count: number;
  resetAt: number;
}

/** PEXPIRE takes whole milliseconds, at least one. */
function wholeMs(windowMs: number): number {
  if (!(windowMs > 0)) throw new RangeError(`counter windowMs must be positive: ${windowMs}`);
  return Math.max(1, Math.ceil(windowMs));
}

function counterFrom([count, ttlMs]: [number, number]): Counter {
  return { count, resetAt: Date.now() + Math.max(0, ttlMs) };
}

export class RedisRateLimitStore implements RateLimitStore {
  readonly #link: RedisLink;
  readonly #fallback: RateLimitStore;
  readonly #prefix: string;

  constructor(link: RedisLink, fallback: RateLimitStore, prefix: string) {
    this.#link = link;
    this.#fallback = fallback;
    this.#prefix = prefix;
  }

  increment(key: string, windowMs: number, by = 1): Promise<Counter> {
    const ms = wholeMs(windowMs);
    return this.#link.attempt(
      async (redis) => counterFrom(await redis.mlyIncrement(this.#prefix + key, by, ms)),
      () => this.#fallback.increment(key, windowMs, by),
    );
  }
}

export class RedisLoginFailureStore implements LoginFailureStore {
  readonly #link: RedisLink;
  readonly #fallback: LoginFailureStore;
  readonly #prefix: string;

  constructor(link: RedisLink, fallback: LoginFailureStore, prefix: string) {
    this.#link = link;
    this.#fallback = fallback;
    this.#prefix = prefix;
  }

  get(key: string): Promise<Counter | null> {
    return this.#link.attempt(
      async (redis) => {
        const found = await redis.mlyReadCounter(this.#prefix + key);
        return found ? counterFrom(found) : null;
      },
      () => this.#fallback.get(key),
    );
  }

  increment(key: string, windowMs: number): Promise<Counter> {
    const ms = wholeMs(windowMs);
    return this.#link.attempt(
      async (redis) => counterFrom(await redis.mlyIncrement(this.#prefix + key, 1, ms)),
      () => this.#fallback.increment(key, windowMs),
    );
  }

  /** Deletes in this process too, so failures counted during an outage do not come back at the next one. */
  delete(key: string): Promise<void> {
    return this.#link.attempt(
      async (redis) => {
        await this.#fallback.delete(key);
        await redis.del(this.#prefix + key);
      },
      () => this.#fallback.delete(key),
    );
  }
}
