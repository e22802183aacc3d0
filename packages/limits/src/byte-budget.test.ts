import { MessageTooLargeError, ServerError, TryAgainLaterError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { ByteBudget } from './byte-budget.js';
import { DEFAULTS } from './defaults.js';

/** Small deterministic PRNG (mulberry32) so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  test('defaults to 5 GiB, room for 100 maximum-size messages', () => {
    const budget = new ByteBudget();
    expect(budget.total).toBe(5 * 1024 ** 3);
    expect(Math.floor(budget.total / DEFAULTS.maxMessageSize)).toBeGreaterThanOrEqual(100);
  });

  test('reserve, grow and release move inUse; release is idempotent', () => {
    const budget = new ByteBudget(100);
    const r = budget.reserve(30);
    r.grow(20);
    expect(r.bytes).toBe(50);
    expect(budget.inUse).toBe(50);
    expect(budget.available).toBe(50);
    r.release();
    r.release();
    expect(budget.inUse).toBe(0);
    expect(r.released).toBe(true);
  });

  test('`using` releases at the end of the block, also when it throws', () => {
    const budget = new ByteBudget(100);
    const work = () => {
      using r = budget.reserve(40);
      expect(budget.inUse).toBe(r.bytes);
      throw new Error('aborted');
    };
    expect(work).toThrow('aborted');
    expect(budget.inUse).toBe(0);
  });

  test('a full budget throws TryAgainLaterError and changes nothing', () => {
    const budget = new ByteBudget(100);
    const held = budget.reserve(50);
    const other = budget.reserve(30);
    expect(() => budget.reserve(21)).toThrow(TryAgainLaterError);
    expect(budget.inUse).toBe(80);
    expect(() => held.grow(21)).toThrow(TryAgainLaterError);
    expect(held.bytes).toBe(50);
    expect(budget.inUse).toBe(80);
    held.release();
    other.release();
    expect(budget.inUse).toBe(0);
  });

  test('a request larger than the whole budget is MessageTooLargeError, not try-again-later', () => {
    const budget = new ByteBudget(100);
    expect(() => budget.reserve(101)).toThrow(MessageTooLargeError);
    const r = budget.reserve(60);
    expect(() => r.grow(41)).toThrow(MessageTooLargeError);
    r.release();
    expect(budget.inUse).toBe(0);
  });

  test('growing a released reservation is a bug, and cannot leak bytes', () => {
    const budget = new ByteBudget(100);
    const r = budget.reserve(10);
    r.release();
    expect(() => r.grow(5)).toThrow(ServerError);
    expect(budget.inUse).toBe(0);
  });

  test('negative or fractional sizes are rejected', () => {
    const budget = new ByteBudget(100);
    expect(() => budget.reserve(-1)).toThrow(RangeError);
    expect(() => budget.reserve(1.5)).toThrow(RangeError);
    const r = budget.reserve(10);
    expect(() => r.grow(-10)).toThrow(RangeError);
    expect(budget.inUse).toBe(10);
    r.release();
  });

  test('many concurrent reservations with random aborts never go negative and end at zero', async () => {
    const budget = new ByteBudget(1_000_000);
    const next = random(42);
    const seen = { min: 0, max: 0, full: 0, aborted: 0, completed: 0 };
    const observe = () => {
      seen.min = Math.min(seen.min, budget.inUse);
      seen.max = Math.max(seen.max, budget.inUse);
    };

    const worker = async () => {
      await tick();
      try {
        using r = budget.reserve(Math.floor(next() * 50_000));
        for (let step = 0; step < 10; step++) {
          observe();
          await tick();
          if (next() < 0.05) throw new Error('client went away');
          r.grow(Math.floor(next() * 20_000));
        }
        seen.completed++;
      } catch (err) {
        if (err instanceof TryAgainLaterError) seen.full++;
        else if (err instanceof Error && err.message === 'client went away') seen.aborted++;
        else throw err;
      } finally {
        observe();
      }
    };

    await Promise.all(Array.from({ length: 300 }, worker));
    expect(seen.min).toBeGreaterThanOrEqual(0);
    expect(seen.max).toBeLessThanOrEqual(budget.total);
    expect(seen.full).toBeGreaterThan(0);
    expect(seen.aborted).toBeGreaterThan(0);
    expect(seen.completed).toBeGreaterThan(0);
    expect(seen.full + seen.aborted + seen.completed).toBe(300);
    expect(budget.inUse).toBe(0);
  });
});
