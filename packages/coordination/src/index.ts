/**
 * @mailyard/coordination: what the instances of Mailyard's processes share, so that N instances of an app behave
 * as one: mailbox change events (a delivery or flag change made through one instance wakes IDLE sessions on the
 * others), rate-limit and failed-login counters (10 failed logins per address per hour means 10 across all
 * instances), locks with expiry and fencing tokens (the POP3 maildrop lock of RFC 1939 §4, any single-writer
 * job), and "work available" wake-ups for the outbound queue.
 *
 * Two implementations of one interface (types.ts), proven by one contract suite (test/contract.ts):
 * - EmbeddedCoordination (embedded.ts), the default when no Redis is configured: events and queue wake-ups
 *   through files under <dataDir>/notify (the mail store's FileChangeNotifier, shared by every process on the
 *   machine), counters in each process's memory, but the shared counters (sharedRateLimits) and the locks in a
 *   SQLite file every process on the machine counts and takes leases in (file-counters.ts, file-locks.ts).
 * - RedisCoordination (redis.ts), over ioredis: pub/sub on a dedicated subscriber connection for events and
 *   wake-ups (the event files are watched only during outages and just after a reconnect: redis-events.ts), Lua scripts for atomic counters, SET NX PX with an INCR fencing counter for locks (released and
 *   extended by compare-and-set scripts). Passwords and TLS (rediss://) are supported; unix:// for a socket.
 *
 * Invariants:
 * - Redis is never a store of record: it holds counters, leases and messages in flight, and losing all of them
 *   loses no mail and no setting (mail is acknowledged only once it is in the spool or the mail store).
 * - No Redis failure reaches a caller. While Redis is unusable (refused, closed, a command failing or timing
 *   out) every call does what the embedded implementation does in this process, with one warning logged per
 *   outage, and Redis is used again as soon as it answers (reconnect with back-off capped at 2 s).
 *   During an outage, limits are per process, locks are per process (a lock taken then is carried into Redis by
 *   its next extend(), or reported lost when another instance holds it there), and events travel through the
 *   files on this machine.
 * - The Redis URL is never logged: only describeRedisUrl(), with the password replaced by [Redacted], and Redis
 *   errors only by code and message.
 * - Fencing tokens increase per lock name: across instances while Redis is up, within a process across outages
 *   (the local counter is kept above every token Redis gave it), and across restarts of a process or of Redis
 *   (no token is below the clock in microseconds; memory-locks.ts).
 *
 * scopeCoordination (scope.ts) gives each process its own counters (instances of one process share them; imap's
 * failed logins are not pop3's): @mailyard/runtime hands every process such a view, scoped by its PM2 name.
 *
 * Redis keys and channels, under the namespace (default 'mailyard:'): rl:<key>, sh:<key> (shared) and lf:<key>
 * counters with a PEXPIRE window, lock:<name> leases (value: a random holder id), fence (the fencing counter),
 * channels ev:<mailboxId> (the outbound queue's wake-ups use the reserved id _outbound-queue).
 */
import type { Logger } from '@mailyard/logger';
import { EmbeddedCoordination } from './embedded.js';
import { createRedisCoordination } from './redis.js';
import type { RedisTlsOptions } from './redis-url.js';
import type { Coordination } from './types.js';

export { EmbeddedCoordination, type EmbeddedCoordinationOptions, QUEUE_SIGNAL_ID } from './embedded.js';
export { COORDINATION_LIMITS } from './limits.js';
export { MemoryLocks } from './memory-locks.js';
export { createRedisCoordination, RedisCoordination, type RedisCoordinationOptions } from './redis.js';
export { describeRedisUrl, parseRedisUrl, type RedisConnection, type RedisTlsOptions } from './redis-url.js';
export { scopeCoordination } from './scope.js';
export type * from './types.js';

export interface CoordinationOptions {
  dataDir: string;
  logger: Logger;
  /** MAILYARD_REDIS_URL: absent or empty means the embedded implementation. */
  redisUrl?: string;
  redisTls?: RedisTlsOptions;
  notifyPollMs?: number;
  /** Redis only: connect when first used, not at creation (RedisCoordinationOptions.lazy). */
  lazy?: boolean;
}

/** The implementation the settings ask for: Redis when a URL is given, else embedded. */
export async function createCoordination(options: CoordinationOptions): Promise<Coordination> {
  if (!options.redisUrl) {
    return new EmbeddedCoordination({ dataDir: options.dataDir, notifyPollMs: options.notifyPollMs });
  }
  return createRedisCoordination({
    url: options.redisUrl,
    tls: options.redisTls,
    dataDir: options.dataDir,
    logger: options.logger,
    notifyPollMs: options.notifyPollMs,
    lazy: options.lazy,
  });
}
