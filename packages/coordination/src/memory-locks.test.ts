import { expect, test } from 'vitest';
import { expectExactLeases } from '../test/lock-rules.js';
import { COORDINATION_LIMITS } from './limits.js';
import { MemoryLocks } from './memory-locks.js';

function clocked(start = 1_000_000) {
  let now = start;
  return { locks: new MemoryLocks(() => now), advance: (ms: number) => (now += ms) };
}

test('expired leases nobody asks for again are swept, so memory does not grow with lock names', async () => {
  const { locks, advance } = clocked();
  for (let i = 0; i < 1_000; i++) await locks.acquire(`name-${i}`, 1_000);
  expect(locks.size).toBe(1_000);
  advance(COORDINATION_LIMITS.lockSweepIntervalMs);
  await locks.acquire('one-more', 1_000);
  expect(locks.size).toBe(1);
});

test('tokens are never below the clock in microsecond steps, and increase within one millisecond', async () => {
  const { locks, advance } = clocked();
  const a = await locks.acquire('a', 1_000);
  const b = await locks.acquire('b', 1_000);
  expect(a?.token).toBe(1_000_000 * COORDINATION_LIMITS.tokensPerMs);
  expect(b?.token).toBe((a?.token ?? 0) + 1);
  advance(5);
  const restarted = new MemoryLocks(() => 1_000_005);
  expect((await restarted.acquire('a', 1_000))?.token).toBeGreaterThan(b?.token ?? Number.POSITIVE_INFINITY);
  locks.raiseFence(Number.MAX_SAFE_INTEGER - 10);
  expect((await locks.acquire('c', 1_000))?.token).toBe(Number.MAX_SAFE_INTEGER - 9);
});

test('a lease ends exactly at its ttl; extend and release only act for the current token', async () => {
  const { locks, advance } = clocked();
  await expectExactLeases(locks, advance);
});
