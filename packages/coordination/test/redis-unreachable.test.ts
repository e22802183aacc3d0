/**
 * Redis absent at start, and Redis hung (SIGSTOP: the connection stays open and nothing answers): the
 * coordination starts anyway and serves from this process, a hung Redis costs at most one command timeout per
 * probe interval, and both cases end with Redis shared again, one warning and one recovery line each.
 */
import {
  captureLog,
  type LogCapture,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { COORDINATION_LIMITS, createRedisCoordination, type RedisCoordination } from '../src/index.js';

const available = redisServerAvailable();
const COMMAND_TIMEOUT_MS = 300;

describe.skipIf(!available)('Redis unreachable', () => {
  let server: RedisServer;
  let dir: TempDir;
  let log: LogCapture;
  let coordination: RedisCoordination | undefined;

  beforeEach(async () => {
    server = await startRedisServer({ password: 'unreachable-secret' });
    dir = await tempDir('mailyard-coordination-');
    log = captureLog();
  });
  afterEach(async () => {
    await coordination?.close();
    await server.stop();
    await dir.cleanup();
  });

  const open = () =>
    createRedisCoordination({
      url: server.url,
      dataDir: dir.path,
      logger: log.logger,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      firstConnectWaitMs: 500,
    });
  const messages = (level: number, prefix: string) =>
    log.atLeast(level).filter((line) => String(line.msg).startsWith(prefix));

  test('absent at start: starts on the fallback with one warning, then connects when Redis comes up', async () => {
    await server.kill();
    const started = performance.now();
    coordination = await open();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(coordination.shared).toBe(false);
    expect((await coordination.consume('k', 1, 60_000)).allowed).toBe(true);
    expect((await coordination.consume('k', 1, 60_000)).allowed).toBe(false);
    expect(await coordination.locks.acquire('name', 1_000)).not.toBeNull();
    await server.start();
    await waitFor(() => coordination?.shared, 10_000);
    expect((await coordination.consume('k', 1, 60_000)).allowed).toBe(true);
    expect(messages(40, 'Redis unreachable')).toHaveLength(1);
    expect(messages(30, 'Redis reachable again')).toHaveLength(1);
    expect(log.text).not.toContain('unreachable-secret');
  });

  test('hung: each call falls back within a command timeout, then skips Redis until the next probe', async () => {
    coordination = await open();
    expect(coordination.shared).toBe(true);
    expect((await coordination.consume('hung', 2, 60_000)).allowed).toBe(true);
    server.pause();
    try {
      let started = performance.now();
      expect((await coordination.consume('hung', 2, 60_000)).remaining).toBe(1);
      const firstCall = performance.now() - started;
      expect(firstCall).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 20);
      expect(firstCall).toBeLessThan(COMMAND_TIMEOUT_MS + 2_000);
      started = performance.now();
      for (let i = 0; i < 20; i++) await coordination.loginFailures.increment('hung-login', 60_000);
      expect(performance.now() - started).toBeLessThan(COORDINATION_LIMITS.probeIntervalMs);
      expect(await coordination.locks.acquire('hung-lock', 5_000)).not.toBeNull();
      expect(coordination.shared).toBe(false);
      expect(messages(40, 'Redis unreachable')).toHaveLength(1);
    } finally {
      server.resume();
    }
    await waitFor(async () => {
      await coordination?.consume('probe', 1_000, 60_000);
      return coordination?.shared && messages(30, 'Redis reachable again').length === 1;
    }, 10_000);
    expect(messages(40, 'Redis unreachable')).toHaveLength(1);
  });
});
