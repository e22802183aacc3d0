/**
 * The Redis implementation: every member shared by all instances through one Redis, each with the embedded
 * implementation (same data directory) as its fallback while Redis is unusable. Redis holds only counters,
 * leases and messages in flight, all of which may be lost at any time: it is never a store of record.
 */
import type { Logger } from '@mailyard/logger';
import { consumeFrom } from './consume.js';
import { EmbeddedCoordination, queueSignalOver } from './embedded.js';
import { COORDINATION_LIMITS } from './limits.js';
import { MemoryLocks } from './memory-locks.js';
import { RedisLoginFailureStore, RedisRateLimitStore } from './redis-counters.js';
import { RedisEvents } from './redis-events.js';
import { RedisLink } from './redis-link.js';
import { RedisLocks } from './redis-locks.js';
import { describeRedisUrl, parseRedisUrl, type RedisTlsOptions } from './redis-url.js';
import type { Coordination, QueueSignal, RateLimitResult } from './types.js';

export interface RedisCoordinationOptions {
  /** redis://, rediss:// (TLS) or unix:// address, with the password in it when Redis has one. */
  url: string;
  /** CA and checks for rediss:// (a private CA or a self-signed Redis certificate). */
  tls?: RedisTlsOptions;
  /** The data directory: the fallback event files live under its notify/. */
  dataDir: string;
  logger: Logger;
  /** Prefix of every key and channel; default 'mailyard:'. Instances that share must use the same one. */
  namespace?: string;
  /** Poll interval of the fallback file notifier (ms); default 250. */
  notifyPollMs?: number;
  /** How long a command may take before it counts as an outage; default COORDINATION_LIMITS.commandTimeoutMs. */
  commandTimeoutMs?: number;
  /** How long createRedisCoordination waits to connect; default COORDINATION_LIMITS.firstConnectWaitMs. */
  firstConnectWaitMs?: number;
  /**
   * Connect only when first used (the command connection at the first command, the subscriber at the first
   * subscribe), and do not wait for Redis at creation: for a process that seldom or never needs it (jobs).
   */
  lazy?: boolean;
}

export class RedisCoordination implements Coordination {
  readonly backend = 'redis' as const;
  readonly events: RedisEvents;
  readonly rateLimits: RedisRateLimitStore;
  readonly sharedRateLimits: RedisRateLimitStore;
  readonly loginFailures: RedisLoginFailureStore;
  readonly locks: RedisLocks;
  readonly queue: QueueSignal;
  readonly #link: RedisLink;
  readonly #fallback: EmbeddedCoordination;

  constructor(options: RedisCoordinationOptions) {
    const prefix = options.namespace ?? 'mailyard:';
    this.#link = new RedisLink({
      connection: parseRedisUrl(options.url, options.tls),
      target: describeRedisUrl(options.url),
      logger: options.logger,
      commandTimeoutMs: options.commandTimeoutMs,
      lazy: options.lazy,
    });
    this.#fallback = new EmbeddedCoordination({ dataDir: options.dataDir, notifyPollMs: options.notifyPollMs });
    this.events = new RedisEvents(this.#link, this.#fallback.events, prefix);
    this.rateLimits = new RedisRateLimitStore(this.#link, this.#fallback.rateLimits, `${prefix}rl:`);
    // During an outage the shared counters fall back to the machine's counters file, not to this process.
    this.sharedRateLimits = new RedisRateLimitStore(this.#link, this.#fallback.sharedRateLimits, `${prefix}sh:`);
    this.loginFailures = new RedisLoginFailureStore(this.#link, this.#fallback.loginFailures, `${prefix}lf:`);
    // The per-process half of every lock (and the whole lock during an outage) is a MemoryLocks of this instance's
    // own: RedisLocks takes it first and keeps its counter above Redis's tokens. The fallback's FileLocks is never
    // used, so its file is never opened for locks.
    this.locks = new RedisLocks(this.#link, new MemoryLocks(), prefix);
    this.queue = queueSignalOver(this.events);
  }

  consume(key: string, points: number, windowMs: number, cost = 1): Promise<RateLimitResult> {
    return consumeFrom(this.rateLimits, key, points, windowMs, cost);
  }

  /** Resolves true once connected, false after timeoutMs (then it keeps reconnecting in the background). */
  waitReady(timeoutMs: number): Promise<boolean> {
    return this.#link.waitReady(timeoutMs);
  }

  /** Whether calls use Redis right now (false during an outage, when they fall back to this process). */
  get shared(): boolean {
    return this.#link.health.usable();
  }

  /** Outages seen since start; each logged one warning. */
  get outages(): number {
    return this.#link.health.outages;
  }

  async close(): Promise<void> {
    this.events.close();
    await this.#link.close();
    // The fallback's files: the counters file's handle (its notifier was closed with the events above).
    await this.#fallback.close();
  }
}

/**
 * A RedisCoordination, connected when Redis answers within firstConnectWaitMs. When it does not, this still
 * resolves, with one warning logged, and the process starts on the fallback until Redis is reachable. A lazy one
 * resolves at once, unconnected.
 */
export async function createRedisCoordination(options: RedisCoordinationOptions): Promise<RedisCoordination> {
  const coordination = new RedisCoordination(options);
  if (options.lazy) return coordination;
  await coordination.waitReady(options.firstConnectWaitMs ?? COORDINATION_LIMITS.firstConnectWaitMs);
  return coordination;
}
