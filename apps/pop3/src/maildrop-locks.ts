/**
 * The maildrop lock (RFC 1939 §4: the server should acquire an exclusive lock on the maildrop after PASS; RFC 2449
 * §8.1.2 and RFC 3206 name the refusal `[IN-USE]`): one logged-in session per mailbox, across every instance of
 * the imap process (which serves POP3) through the coordination's locks: Redis, or without it a lease file every
 * process on the machine shares (the embedded coordination's FileLocks).
 *
 * A held lock is a lease of POP3_LIMITS.maildropLeaseMs renewed every third of it, so an instance that dies
 * with sessions open frees their maildrops within one lease, while a live one keeps them for as long as the session
 * lasts. A renewal that finds the lease taken by another holder (the lease ran out while this process stalled) is
 * logged and renewing stops: that session keeps its view of the maildrop, as a session whose lock file was removed
 * would; the mail store's per-message operations stay consistent either way.
 */
import type { Lock, Locks } from '@mailyard/coordination';
import type { Logger } from '@mailyard/logger';
import { POP3_LIMITS } from './limits.js';

export class MaildropLocks {
  readonly #locks: Locks;
  readonly #logger: Pick<Logger, 'warn'> | undefined;
  readonly #leaseMs: number;

  constructor(locks: Locks, logger?: Pick<Logger, 'warn'>, leaseMs: number = POP3_LIMITS.maildropLeaseMs) {
    this.#locks = locks;
    this.#logger = logger;
    this.#leaseMs = leaseMs;
  }

  /** The maildrop of `mailboxId` for this session: its release function, or null when another session holds it. */
  async acquire(mailboxId: string): Promise<(() => void) | null> {
    const lock = await this.#locks.acquire(`pop3-maildrop:${mailboxId}`, this.#leaseMs);
    if (!lock) return null;
    const renewal = setInterval(() => void this.#renew(lock, renewal), Math.max(1, Math.floor(this.#leaseMs / 3)));
    renewal.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renewal);
      lock.release().catch(() => undefined);
    };
  }

  async #renew(lock: Lock, renewal: NodeJS.Timeout): Promise<void> {
    if (await lock.extend().catch(() => false)) return;
    clearInterval(renewal);
    this.#logger?.warn({ lock: lock.name }, 'maildrop lock lost: its lease ran out and another session may hold it');
  }
}
