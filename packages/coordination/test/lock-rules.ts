/**
 * Lease rules every Locks implementation shares, on a clock the test moves (MemoryLocks in its unit test, FileLocks
 * in file-locks.test.ts): the contract suite checks them on the real clock, this to the millisecond.
 */
import { expect } from 'vitest';
import type { Locks } from '../src/types.js';

/**
 * A lease ends exactly at its ttl; extend and release act only for the current holder's token; a released lease
 * cannot be extended; a ttl that is not a positive whole number is a RangeError.
 */
export async function expectExactLeases(locks: Locks, advance: (ms: number) => void): Promise<void> {
  const first = await locks.acquire('x', 100);
  advance(99);
  expect(await locks.acquire('x', 100)).toBeNull();
  advance(1);
  const second = await locks.acquire('x', 100);
  expect(second).not.toBeNull();
  expect(await first?.extend()).toBe(false);
  await first?.release();
  expect(await locks.acquire('x', 100)).toBeNull();
  expect(await second?.extend(500)).toBe(true);
  advance(400);
  expect(await locks.acquire('x', 100)).toBeNull();
  advance(100);
  const third = await locks.acquire('x', 100);
  expect(third).not.toBeNull();
  await expect(third?.extend(0) ?? Promise.resolve()).rejects.toThrow(RangeError);
  await third?.release();
  expect(await third?.extend()).toBe(false);
  expect(await locks.acquire('x', 100)).not.toBeNull();
  await expect(locks.acquire('y', -1)).rejects.toThrow(RangeError);
}
