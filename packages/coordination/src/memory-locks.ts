/**
 * Locks with expiry and fencing tokens inside one process: the embedded implementation, and the per-process half
 * of every Redis lock (so a process never hands one lock to two of its own sessions, whatever Redis says).
 *
 * Fencing tokens come from one counter per MemoryLocks, so they increase per lock name and across names. The
 * counter never falls below the clock in microsecond-sized steps (COORDINATION_LIMITS.tokensPerMs), so a restarted
 * process (or a Redis that restarted empty) still hands out larger tokens than before, as long as the clock does
 * not go back and fewer than 1,000 locks a millisecond are taken; tokens stay safe integers until the year 2255.
 * raiseFence() lets the Redis implementation keep this counter above every token Redis has handed it, so tokens
 * stay increasing in this process across an outage.
 */
import { COORDINATION_LIMITS } from './limits.js';
import type { Lock, Locks } from './types.js';

export type Clock = () => number;

interface Lease {
  token: number;
  expiresAt: number;
}

export function assertTtl(ttlMs: number): void {
  if (!(Number.isInteger(ttlMs) && ttlMs > 0)) throw new RangeError(`lock ttlMs must be a positive integer: ${ttlMs}`);
}

export class MemoryLocks implements Locks {
  readonly #leases = new Map<string, Lease>();
  readonly #now: Clock;
  #fence = 0;
  #nextSweepAt: number;

  constructor(now: Clock = Date.now) {
    this.#now = now;
    this.#nextSweepAt = now() + COORDINATION_LIMITS.lockSweepIntervalMs;
  }

  async acquire(name: string, ttlMs: number): Promise<Lock | null> {
    const token = this.tryAcquire(name, ttlMs);
    return token === null ? null : this.#handle(name, token, ttlMs);
  }

  /** The synchronous core of acquire(): the new token, or null when `name` is held. */
  tryAcquire(name: string, ttlMs: number): number | null {
    assertTtl(ttlMs);
    const now = this.#now();
    if (now >= this.#nextSweepAt) this.#sweep(now);
    if (this.#live(name, now)) return null;
    this.#fence = Math.max(this.#fence + 1, now * COORDINATION_LIMITS.tokensPerMs);
    this.#leases.set(name, { token: this.#fence, expiresAt: now + ttlMs });
    return this.#fence;
  }

  /** Renews the lease of `token` on `name`; false when it expired or is not this token's. */
  extendLease(name: string, token: number, ttlMs: number): boolean {
    assertTtl(ttlMs);
    const now = this.#now();
    const lease = this.#live(name, now);
    if (lease?.token !== token) return false;
    lease.expiresAt = now + ttlMs;
    return true;
  }

  releaseLease(name: string, token: number): void {
    if (this.#leases.get(name)?.token === token) this.#leases.delete(name);
  }

  /** Keeps the next token above `token`. */
  raiseFence(token: number): void {
    this.#fence = Math.max(this.#fence, token);
  }

  get fence(): number {
    return this.#fence;
  }

  /** Leases held, expired ones included until swept. */
  get size(): number {
    return this.#leases.size;
  }

  #live(name: string, now: number): Lease | undefined {
    const lease = this.#leases.get(name);
    if (lease && lease.expiresAt <= now) {
      this.#leases.delete(name);
      return undefined;
    }
    return lease;
  }

  #sweep(now: number): void {
    for (const [name, lease] of this.#leases) if (lease.expiresAt <= now) this.#leases.delete(name);
    this.#nextSweepAt = now + COORDINATION_LIMITS.lockSweepIntervalMs;
  }

  #handle(name: string, token: number, ttlMs: number): Lock {
    return {
      name,
      token,
      release: async () => this.releaseLease(name, token),
      extend: async (extendMs = ttlMs) => this.extendLease(name, token, extendMs),
    };
  }
}
