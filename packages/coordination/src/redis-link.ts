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
import type { Logger } from '@mailyard/logger';
import { Redis, type RedisOptions } from 'ioredis';
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

export interface RedisLinkOptions {
  connection: RedisConnection;
  /** describeRedisUrl() of the address, for logs. */
  target: string;
  logger: Logger;
  commandTimeoutMs?: number;
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
    };
    this.client = defineScripts(new Redis(redisOptions));
    this.subscriber = new Redis(redisOptions);
    this.health = new RedisHealth({
      logger: options.logger,
      target: options.target,
      connected: () => this.client.status === 'ready' && this.subscriber.status === 'ready',
    });
    for (const connection of [this.client, this.subscriber]) this.#watch(connection);
  }

  /** Runs `op` on Redis when it is usable, else (or when it fails) `fallback`. Never rejects for Redis's sake. */
  async attempt<T>(op: (client: ScriptedRedis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
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

  /** Resolves true once both connections are ready, false after timeoutMs (reconnecting goes on). */
  waitReady(timeoutMs: number): Promise<boolean> {
    const ready = () => this.client.status === 'ready' && this.subscriber.status === 'ready';
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

  get closing(): boolean {
    return this.#closing;
  }

  async close(): Promise<void> {
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
