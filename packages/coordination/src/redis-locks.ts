/**
 * Locks shared by every instance: a lease in Redis (SET NX PX, value a random holder id) with a fencing token from
 * INCR, on top of a lease in this process (MemoryLocks), taken first.
 *
 * Rules:
 * - The local lease always holds: a process never gives one lock to two of its sessions, Redis or not.
 * - Redis unusable at acquire: the lock is local only (one warning per outage, see redis-health.ts); its token
 *   comes from the local counter, which is kept above every token Redis gave this process.
 * - extend() renews the local lease first; if that ran out, the lock is lost (false). Then it renews the Redis
 *   lease, or takes it when Redis has none (a lock taken during an outage, or forgotten by a restarted Redis);
 *   when another instance holds it in Redis, the lock is lost: the local lease is dropped and extend() is false.
 * - release() drops the local lease and deletes the Redis lease only if it is still this holder's; a release
 *   Redis could not hear leaves the Redis lease to expire by its ttl.
 */
import { randomBytes } from 'node:crypto';
import { assertTtl, type MemoryLocks } from './memory-locks.js';
import type { RedisLink } from './redis-link.js';
import type { Lock, Locks } from './types.js';

interface Held {
  name: string;
  key: string;
  holder: string;
  localToken: number;
  ttlMs: number;
}

export class RedisLocks implements Locks {
  readonly #link: RedisLink;
  readonly #local: MemoryLocks;
  readonly #prefix: string;
  readonly #fenceKey: string;

  constructor(link: RedisLink, local: MemoryLocks, prefix: string) {
    this.#link = link;
    this.#local = local;
    this.#prefix = `${prefix}lock:`;
    this.#fenceKey = `${prefix}fence`;
  }

  async acquire(name: string, ttlMs: number): Promise<Lock | null> {
    assertTtl(ttlMs);
    const localToken = this.#local.tryAcquire(name, ttlMs);
    if (localToken === null) return null;
    const held: Held = { name, key: this.#prefix + name, holder: randomBytes(16).toString('hex'), localToken, ttlMs };
    const token = await this.#link.attempt(
      (redis) => redis.mlyAcquire(held.key, this.#fenceKey, held.holder, ttlMs, this.#local.fence),
      () => localToken,
    );
    if (token === null) {
      this.#local.releaseLease(name, localToken);
      return null;
    }
    this.#local.raiseFence(token);
    return this.#handle(held, token);
  }

  #handle(held: Held, token: number): Lock {
    let released = false;
    return {
      name: held.name,
      token,
      release: async () => {
        if (released) return;
        released = true;
        await this.#release(held);
      },
      extend: async (ttlMs = held.ttlMs) => !released && this.#extend(held, ttlMs),
    };
  }

  async #release(held: Held): Promise<void> {
    this.#local.releaseLease(held.name, held.localToken);
    await this.#link.attempt(
      (redis) => redis.mlyRelease(held.key, held.holder),
      () => 0,
    );
  }

  async #extend(held: Held, ttlMs: number): Promise<boolean> {
    assertTtl(ttlMs);
    if (!this.#local.extendLease(held.name, held.localToken, ttlMs)) {
      await this.#release(held);
      return false;
    }
    const kept = await this.#link.attempt(
      async (redis) => (await redis.mlyHold(held.key, held.holder, ttlMs)) === 1,
      () => true,
    );
    if (!kept) this.#local.releaseLease(held.name, held.localToken);
    return kept;
  }
}
