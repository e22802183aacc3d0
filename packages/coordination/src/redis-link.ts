/**
 * The two Redis connections of one process (commands, and a subscriber: a connection that has subscribed can run
 * nothing else) and attempt(), the one way every Redis operation runs: try Redis when it is usable, and on any
 * failure run the per-process fallback instead, so no Redis error ever reaches a caller.
 *
 * Connection rules: commands are not queued while disconnected (they fail at once and fall back), each has a
 * timeout, and reconnection goes on forever with a capped exponential back-off. Scripts are sent with EVALSHA
 * and re-sent in full when a restarted Redis has forgotten them (ioredis defineCommand).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Logger } from '@mailyard/logger';
import type { Redis, RedisOptions } from 'ioredis';
import { COORDINATION_LIMITS } from './limits.js';
import { RedisHealth } from './redis-health.js';
import { ACQUIRE, HOLD, INCREMENT, READ_COUNTER, RELEASE } from './redis-scripts.js';
import type { RedisConnection } from './redis-url.js';

export interface RedisScripts {
  mlyIncrement(key: string, by: number, windowMs: number): Promise<[number, number]>;
  mlyReadCounter(key: string): Promise<[number, number] | null>;
  mlyAcquire(lockKey: string, fenceKey: string, holder: string, ttlMs: number, floor: number): Promise<number | null>;
  mlyRelease(lockKey: string, holder: string): Promise<number>;
  mlyHold(lockKey: string, holder: string, ttlMs: number): Promise<number>;
}

export type ScriptedRedis = Redis & RedisScripts;

/**
 * ioredis, loaded when the first link is made: a process without redis.url never loads it (about 8 MB of heap and
 * 18 MB RSS in each process at rest, issue 15).
 */
function redisClass(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
}

export interface RedisLinkOptions {
  connection: RedisConnection;
  /** describeRedisUrl() of the address, for logs. */
  target: string;
  logger: Logger;
  commandTimeoutMs?: number;
  /**
   * Connect only when used: the command connection at the first command, the subscriber at the first subscribe.
   * For a process that may never need Redis (the jobs process only publishes a queue wake-up when it mails an
   * alert). Default false: both connect at once, so the first call finds them ready.
   */
  lazy?: boolean;
}

export function reconnectDelay(attempt: number): number {
  return Math.min(
    COORDINATION_LIMITS.reconnectFirstMs * 2 ** Math.min(attempt - 1, 10),
    COORDINATION_LIMITS.reconnectCapMs,
  );
}

function defineScripts(client: Redis): ScriptedRedis {
  client.defineCommand('mlyIncrement', { numberOfKeys: 1, lua: INCREMENT });
  client.defineCommand('mlyReadCounter', { numberOfKeys: 1, lua: READ_COUNTER });
  client.defineCommand('mlyAcquire', { numberOfKeys: 2, lua: ACQUIRE });
  client.defineCommand('mlyRelease', { numberOfKeys: 1, lua: RELEASE });
  client.defineCommand('mlyHold', { numberOfKeys: 1, lua: HOLD });
  return client as ScriptedRedis;
}

export class RedisLink {
  readonly client: ScriptedRedis;
  readonly subscriber: Redis;
  readonly health: RedisHealth;
  /** Tells this process's messages apart from the others' on shared channels. */
  readonly source = randomBytes(8).toString('hex');
  #closing = false;
  /** The lazy command connection's first connect, shared by the calls that wait for it. */
  #starting: Promise<void> | null = null;
  #subscriberStarted: boolean;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: RedisLinkOptions) {
    const redisOptions: RedisOptions = {
      ...options.connection,
      connectionName: 'mailyard',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      commandTimeout: options.commandTimeoutMs ?? COORDINATION_LIMITS.commandTimeoutMs,
      connectTimeout: COORDINATION_LIMITS.connectTimeoutMs,
      retryStrategy: reconnectDelay,
      lazyConnect: options.lazy === true,
    };
    this.#subscriberStarted = options.lazy !== true;
    const RedisClient = redisClass();
    this.client = defineScripts(new RedisClient(redisOptions));
    this.subscriber = new RedisClient(redisOptions);
    this.health = new RedisHealth({ logger: options.logger, target: options.target, connected: () => this.#ready() });
    for (const connection of [this.client, this.subscriber]) this.#watch(connection);
  }

  /** The subscriber is about to be used: a lazy link connects it now (the 'ready' event follows). */
  useSubscriber(): void {
    if (this.#subscriberStarted || this.#closing) return;
    this.#subscriberStarted = true;
    this.subscriber.connect().catch(() => undefined);
  }

  /** Runs `op` on Redis when it is usable, else (or when it fails) `fallback`. Never rejects for Redis's sake. */
  attempt<T>(op: (client: ScriptedRedis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    const running = this.#attempt(op, fallback);
    // close() lets calls in flight finish first: a short-lived process's last publish still reaches Redis.
    this.#inFlight.add(running);
    void running.finally(() => this.#inFlight.delete(running)).catch(() => undefined);
    return running;
  }

  async #attempt<T>(op: (client: ScriptedRedis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    if (this.unstarted) {
      // A lazy link's first command: connect (failures are retried in the background and reported as an outage).
      this.#starting ??= this.client.connect().catch(() => undefined);
      await this.#starting;
    }
    if (this.#closing || !this.health.usable()) return fallback();
    let result: T;
    try {
      result = await op(this.client);
    } catch (err) {
      this.health.failed(err);
      return fallback();
    }
    this.health.succeeded();
    return result;
  }

  /** The command connection, and the subscriber once started, are ready. */
  #ready(): boolean {
    return this.client.status === 'ready' && (!this.#subscriberStarted || this.subscriber.status === 'ready');
  }

  /** Resolves true once the connections in use are ready, false after timeoutMs (reconnecting goes on). */
  waitReady(timeoutMs: number): Promise<boolean> {
    const ready = () => this.#ready();
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (value: boolean) => {
        clearTimeout(timer);
        for (const connection of [this.client, this.subscriber]) connection.off('ready', check);
        resolve(value);
      };
      const check = () => {
        if (ready()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      for (const connection of [this.client, this.subscriber]) connection.on('ready', check);
    });
  }

  /** A lazy link whose command connection has not been asked for yet: the next attempt() connects it. */
  get unstarted(): boolean {
    return this.client.status === 'wait' && !this.#closing;
  }

  get closing(): boolean {
    return this.#closing;
  }

  async close(): Promise<void> {
    // Bounded: each call ends within a connect or command timeout.
    await Promise.allSettled([...this.#inFlight]);
    this.#closing = true;
    await Promise.all([quit(this.client), quit(this.subscriber)]);
  }

  #watch(connection: Redis): void {
    connection.on('error', (err: unknown) => {
      if (!this.#closing) this.health.failed(err);
    });
    connection.on('close', () => {
      if (!this.#closing) this.health.failed(new Error('connection closed'));
    });
    connection.on('ready', () => this.health.succeeded());
  }
}

/** QUIT when connected (the server closes cleanly), else drop the connection and stop reconnecting. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    try {
      await connection.quit();
      return;
    } catch {
      // Fall through: disconnect whatever state it is in.
    }
  }
  connection.disconnect();
}
