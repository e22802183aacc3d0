/**
 * Rate limits over a counter store. The memory store serves one process; a Redis store (INCRBY + PEXPIRE NX,
 * shared by every process) implements the same RateLimitStore interface when MAILYARD_REDIS_URL is set.
 *
 * Attempts are counted even when denied, so a client that keeps trying while limited stays limited; the
 * retryAfterMs it gets is exact for a client that waits.
 */

export interface RateLimitStore {
  /**
   * Adds `by` (default 1) to the counter for `key` and returns the new count. A missing or expired counter starts
   * at zero and expires at `resetAt` (epoch ms) = now + windowMs.
   */
  increment(key: string, windowMs: number, by?: number): Promise<{ count: number; resetAt: number }>;
}

export type Clock = () => number;

export interface MemoryRateLimitStoreOptions {
  now?: Clock;
  /** How often expired counters are swept out on the next increment. */
  sweepIntervalMs?: number;
}

export class MemoryRateLimitStore implements RateLimitStore {
  readonly #counters = new Map<string, { count: number; resetAt: number }>();
  readonly #now: Clock;
  readonly #sweepIntervalMs: number;
  #nextSweepAt: number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.#nextSweepAt = this.#now() + this.#sweepIntervalMs;
  }

  async increment(key: string, windowMs: number, by = 1): Promise<{ count: number; resetAt: number }> {
    const now = this.#now();
    if (now >= this.#nextSweepAt) this.sweep();
    const current = this.#counters.get(key);
    const counter = current && current.resetAt > now ? current : { count: 0, resetAt: now + windowMs };
    counter.count += by;
    this.#counters.set(key, counter);
    return { ...counter };
  }

  /** Drops every expired counter; runs by itself at most once per sweep interval. */
  sweep(): void {
    const now = this.#now();
    for (const [key, counter] of this.#counters) {
      if (counter.resetAt <= now) this.#counters.delete(key);
    }
    this.#nextSweepAt = now + this.#sweepIntervalMs;
  }

  /** Counters held, expired ones included until the next sweep. */
  get size(): number {
    return this.#counters.size;
  }
}

export interface RateLimiterOptions {
  /** Attempts allowed per window. */
  points: number;
  durationMs: number;
  /**
   * 'sliding' (default) weighs the previous fixed window by how much of it still overlaps the last `durationMs`,
   * so a client cannot send 2x `points` across a window boundary. 'fixed' resets all at once at the window end.
   */
  window?: 'sliding' | 'fixed';
  store?: RateLimitStore;
  now?: Clock;
}

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

export class RateLimiter {
  readonly points: number;
  readonly durationMs: number;
  readonly window: 'sliding' | 'fixed';
  readonly #store: RateLimitStore;
  readonly #now: Clock;

  constructor(options: RateLimiterOptions) {
    if (!(options.points > 0) || !(options.durationMs > 0)) {
      throw new RangeError('RateLimiter needs points > 0 and durationMs > 0');
    }
    this.points = options.points;
    this.durationMs = options.durationMs;
    this.window = options.window ?? 'sliding';
    this.#now = options.now ?? Date.now;
    this.#store = options.store ?? new MemoryRateLimitStore({ now: this.#now });
  }

  async consume(key: string, points = 1): Promise<RateLimitResult> {
    if (!(points > 0) || points > this.points) {
      throw new RangeError(`consume needs 0 < points <= ${this.points}, got ${points}`);
    }
    return this.window === 'fixed' ? this.#consumeFixed(key, points) : this.#consumeSliding(key, points);
  }

  /**
   * What consume() would weigh against `points` right now, counting nothing: the window's count (fixed), or the
   * weighted estimate of the last `durationMs` rounded up (sliding). Refused attempts are in it, as they count.
   */
  async usage(key: string): Promise<{ used: number; remaining: number }> {
    let used: number;
    if (this.window === 'fixed') {
      used = (await this.#store.increment(key, this.durationMs, 0)).count;
    } else {
      const now = this.#now();
      const width = this.durationMs;
      const index = Math.floor(now / width);
      const current = (await this.#store.increment(`${key}:${index}`, 2 * width, 0)).count;
      const previous = (await this.#store.increment(`${key}:${index - 1}`, 2 * width, 0)).count;
      used = Math.ceil(previous * ((width - (now - index * width)) / width) + current);
    }
    return { used, remaining: Math.max(0, this.points - used) };
  }

  async #consumeFixed(key: string, points: number): Promise<RateLimitResult> {
    const { count, resetAt } = await this.#store.increment(key, this.durationMs, points);
    const remaining = Math.max(0, this.points - count);
    if (count <= this.points) return { allowed: true, remaining, retryAfterMs: 0 };
    return { allowed: false, remaining, retryAfterMs: Math.max(0, resetAt - this.#now()) };
  }

  async #consumeSliding(key: string, points: number): Promise<RateLimitResult> {
    const now = this.#now();
    const width = this.durationMs;
    const index = Math.floor(now / width);
    const elapsed = now - index * width;
    // Keep each window's counter for two widths: it is read back as the previous window.
    const current = (await this.#store.increment(`${key}:${index}`, 2 * width, points)).count;
    const previous = (await this.#store.increment(`${key}:${index - 1}`, 2 * width, 0)).count;
    const estimate = previous * ((width - elapsed) / width) + current;
    const remaining = Math.max(0, Math.floor(this.points - estimate));
    if (estimate <= this.points) return { allowed: true, remaining, retryAfterMs: 0 };
    return { allowed: false, remaining, retryAfterMs: this.#slidingWait(previous, current, elapsed, points) };
  }

  /**
   * Time until `points` more would fit, if nothing else arrives. Within this window the weight of `previous`
   * falls linearly; if `current` alone is already too many, wait for the next window, where `current` becomes
   * the previous count and falls the same way.
   */
  #slidingWait(previous: number, current: number, elapsed: number, points: number): number {
    const width = this.durationMs;
    const room = this.points - points;
    if (current + points <= this.points) {
      return Math.max(0, Math.ceil(width * (1 - (room - current) / previous) - elapsed));
    }
    return Math.ceil(width - elapsed + Math.max(0, width * (1 - room / current)));
  }
}
