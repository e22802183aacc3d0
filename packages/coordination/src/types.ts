/**
 * The Coordination interface: what the instances of Mailyard's processes share. Each member has the shape its
 * consumer already uses, so wiring is passing an object: `events` is a mailstore ChangeNotifier
 * (MailstoreOptions.notifier), `rateLimits` a limits RateLimitStore (RateLimiter's store), `loginFailures` a
 * limits LoginFailureStore (LoginGate's store).
 */
import type { LoginFailureStore, RateLimitResult, RateLimitStore } from '@mailyard/limits';
import type { ChangeEvent, ChangeNotifier } from '@mailyard/mailstore';

export type { ChangeEvent, ChangeNotifier, LoginFailureStore, RateLimitResult, RateLimitStore };

/** A held lock. Its lease ends at release(), or when ttlMs passes without an extend(). */
export interface Lock {
  readonly name: string;
  /**
   * Fencing token: larger than every token handed out before for this name (tokens come from one counter per
   * coordination namespace, never below the clock in microseconds, so also after a restart). A resource that
   * remembers the largest token it has seen can refuse a holder whose lease ran out while it was paused.
   */
  readonly token: number;
  /** Gives the lock up; only ever removes this holder's lease. Idempotent. */
  release(): Promise<void>;
  /** Renews the lease for ttlMs (default: the ttl it was acquired with); false when the lease is lost. */
  extend(ttlMs?: number): Promise<boolean>;
}

export interface Locks {
  /** The lock `name` for ttlMs, or null when another holder has it. */
  acquire(name: string, ttlMs: number): Promise<Lock | null>;
}

/** "Work is available" wake-ups for the outbound queue; the queue itself stays in the control store. */
export interface QueueSignal {
  /** Wakes every subscriber, in this process and in the others. */
  notify(): void;
  subscribe(callback: () => void): () => void;
}

export interface Coordination {
  /** Which implementation this is: 'embedded' (one machine, no Redis) or 'redis'. */
  readonly backend: 'embedded' | 'redis';
  /** Mailbox change events (a mailstore ChangeNotifier). Hints only: receivers re-read the store. */
  readonly events: ChangeNotifier;
  /** Atomic windowed counters for limits' RateLimiter. */
  readonly rateLimits: RateLimitStore;
  /**
   * Counters every process shares, never scoped by process (scopeCoordination passes them through): for a limit
   * that several processes count against, such as the sending limits of SMTP submission and POST /v1/emails.
   * Embedded: a SQLite file under the data directory (every process on the machine); Redis: in Redis.
   */
  readonly sharedRateLimits: RateLimitStore;
  /** Failed-login counters for limits' LoginGate. */
  readonly loginFailures: LoginFailureStore;
  /**
   * Counts `cost` (default 1) against `key`, allowing `points` per fixed window of `windowMs` that starts at the
   * key's first count. Attempts are counted even when refused. Throws RangeError when cost is not in 1..points.
   */
  consume(key: string, points: number, windowMs: number, cost?: number): Promise<RateLimitResult>;
  readonly locks: Locks;
  readonly queue: QueueSignal;
  /** Releases connections, watchers and timers; the object is unusable afterwards. */
  close(): Promise<void>;
}
