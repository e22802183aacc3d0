import { describe, expect, test } from 'vitest';
import { MemoryRateLimitStore, RateLimiter } from './rate-limiter.js';

function clock(start = 0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (t: number) => {
      now = t;
    },
  };
}

async function consumeTimes(limiter: RateLimiter, key: string, times: number) {
  const results = [];
  for (let i = 0; i < times; i++) results.push(await limiter.consume(key));
  return results;
}

describe('RateLimiter, fixed window', () => {
  test('allows `points` per window, then denies until the window resets', async () => {
    const time = clock(10_000);
    const limiter = new RateLimiter({ points: 3, durationMs: 1000, window: 'fixed', now: time.now });
    const first = await consumeTimes(limiter, 'ip', 3);
    expect(first.map((r) => r.remaining)).toEqual([2, 1, 0]);
    expect(first.every((r) => r.allowed && r.retryAfterMs === 0)).toBe(true);
    time.advance(400);
    expect(await limiter.consume('ip')).toEqual({ allowed: false, remaining: 0, retryAfterMs: 600 });
    expect((await limiter.consume('other')).allowed).toBe(true);
    time.advance(600);
    expect(await limiter.consume('ip')).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
  });

  test('lets 2x points through across a window boundary (what the sliding window prevents)', async () => {
    const time = clock(0);
    const limiter = new RateLimiter({ points: 5, durationMs: 1000, window: 'fixed', now: time.now });
    time.set(0);
    await consumeTimes(limiter, 'k', 5);
    time.set(999);
    expect((await limiter.consume('k')).allowed).toBe(false);
    time.set(1000);
    expect((await consumeTimes(limiter, 'k', 5)).every((r) => r.allowed)).toBe(true);
  });
});

describe('RateLimiter, sliding window', () => {
  test('denies a burst straddling the window boundary', async () => {
    const time = clock(0);
    const limiter = new RateLimiter({ points: 10, durationMs: 1000, now: time.now });
    time.set(990);
    expect((await consumeTimes(limiter, 'k', 10)).every((r) => r.allowed)).toBe(true);
    time.set(1010);
    const next = await limiter.consume('k');
    expect(next.allowed).toBe(false);
    expect(next.retryAfterMs).toBeGreaterThan(0);
  });

  test.each([
    ['previous window still weighing', 300, 10, 3],
    ['current window alone too full', 100, 0, 10],
  ])('retryAfterMs is exact when the client waits (%s)', async (_case, at, previous, current) => {
    const time = clock(0);
    const limiter = new RateLimiter({ points: 10, durationMs: 1000, now: time.now });
    const fill = async (key: string) => {
      time.set(500);
      await consumeTimes(limiter, key, previous);
      time.set(1000 + at - 1);
      await consumeTimes(limiter, key, current);
      time.set(1000 + at);
      return limiter.consume(key);
    };
    const denied = await fill('early');
    expect(denied.allowed).toBe(false);
    const wait = denied.retryAfterMs;
    expect(wait).toBeGreaterThan(0);

    await fill('late');
    time.set(1000 + at + wait - 2);
    expect((await limiter.consume('early')).allowed).toBe(false);
    time.set(1000 + at + wait);
    expect((await limiter.consume('late')).allowed).toBe(true);
  });

  test('usage reads the weighted count without counting, in both window kinds', async () => {
    const time = clock(0);
    const sliding = new RateLimiter({ points: 10, durationMs: 1000, now: time.now });
    const fixed = new RateLimiter({ points: 10, durationMs: 1000, window: 'fixed', now: time.now });
    expect(await sliding.usage('k')).toEqual({ used: 0, remaining: 10 });
    time.set(500);
    await consumeTimes(sliding, 'k', 4);
    await consumeTimes(fixed, 'k', 4);
    expect(await sliding.usage('k')).toEqual({ used: 4, remaining: 6 });
    expect(await sliding.usage('k')).toEqual({ used: 4, remaining: 6 });
    expect(await fixed.usage('k')).toEqual({ used: 4, remaining: 6 });
    time.set(1250); // a quarter into the next window: 3/4 of the previous 4 still weigh
    await sliding.consume('k');
    expect(await sliding.usage('k')).toEqual({ used: 4, remaining: 6 });
    time.set(1500); // the fixed window ends 1000 ms after its first count
    expect(await fixed.usage('k')).toEqual({ used: 0, remaining: 10 });
  });

  test('recovers fully after two quiet windows', async () => {
    const time = clock(0);
    const limiter = new RateLimiter({ points: 2, durationMs: 100, now: time.now });
    await consumeTimes(limiter, 'k', 5);
    time.advance(200);
    expect(await limiter.consume('k')).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
  });

  test('consuming more points than the limit is a caller bug', async () => {
    const limiter = new RateLimiter({ points: 2, durationMs: 100 });
    await expect(limiter.consume('k', 3)).rejects.toBeInstanceOf(RangeError);
    await expect(limiter.consume('k', 0)).rejects.toBeInstanceOf(RangeError);
  });

  test('works with the real clock and a small window', async () => {
    const limiter = new RateLimiter({ points: 2, durationMs: 200, window: 'fixed' });
    await consumeTimes(limiter, 'k', 2);
    const denied = await limiter.consume('k');
    expect(denied.allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, denied.retryAfterMs + 5));
    expect((await limiter.consume('k')).allowed).toBe(true);
  });
});

describe('MemoryRateLimitStore', () => {
  test('counts per key and restarts an expired counter', async () => {
    const time = clock(0);
    const store = new MemoryRateLimitStore({ now: time.now });
    expect(await store.increment('a', 100)).toEqual({ count: 1, resetAt: 100 });
    expect(await store.increment('a', 100, 4)).toEqual({ count: 5, resetAt: 100 });
    time.set(100);
    expect(await store.increment('a', 100)).toEqual({ count: 1, resetAt: 200 });
  });

  test('evicts expired counters so memory does not grow with every key ever seen', async () => {
    const time = clock(0);
    const store = new MemoryRateLimitStore({ now: time.now, sweepIntervalMs: 1000 });
    for (let i = 0; i < 5000; i++) await store.increment(`ip-${i}`, 500);
    expect(store.size).toBe(5000);
    time.set(1000);
    await store.increment('fresh', 500);
    expect(store.size).toBe(1);
  });

  test('a limiter keeps its store bounded under a stream of distinct keys', async () => {
    const time = clock(0);
    const store = new MemoryRateLimitStore({ now: time.now, sweepIntervalMs: 100 });
    const limiter = new RateLimiter({ points: 5, durationMs: 50, store, now: time.now });
    for (let i = 0; i < 2000; i++) {
      await limiter.consume(`ip-${i}`);
      time.advance(1);
    }
    expect(store.size).toBeLessThan(500);
  });
});
