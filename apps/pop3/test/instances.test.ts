/**
 * The maildrop lock across pop3 instances: two servers on one data dir, each with its own RedisCoordination (its
 * own Redis connections and per-process fallback, as two instances have) on one private redis-server. A session on
 * one instance holds the maildrop against the other; QUIT gives it back; an instance that stops renewing (it died)
 * frees it within one lease.
 */
import { createSelfSignedPair, loadConfig } from '@mailyard/config';
import { createRedisCoordination, type RedisCoordination } from '@mailyard/coordination';
import {
  captureLog,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
  Teardown,
  waitFor,
} from '@mailyard/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { MaildropLocks } from '../src/maildrop-locks.js';
import { createPop3Server } from '../src/server.js';
import { createPop3Limits } from '../src/session-limits.js';
import { ADDRESS, message, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

const LOGGED_IN = /^\+OK maildrop has \d+ messages? \(\d+ octets\)\r\n$/;
const teardown = new Teardown();
afterEach(() => teardown.run());

async function login(port: number): Promise<{ wire: Pop3Wire; reply: string }> {
  const wire = await Pop3Wire.connect(port);
  teardown.defer(() => wire.close());
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  return { wire, reply: await wire.command(`PASS ${PASSWORD}`) };
}

async function coordination(redis: RedisServer, f: Pop3Fixture): Promise<RedisCoordination> {
  const { logger } = captureLog();
  const shared = await createRedisCoordination({ url: redis.url, dataDir: f.dir.path, logger });
  teardown.defer(() => shared.close());
  expect(shared.shared).toBe(true);
  return shared;
}

/** Two pop3 instances: the fixture's server and a second one on the same data dir, each with its coordination. */
async function twoInstances(redis: RedisServer, leaseMs?: number) {
  const { logger } = captureLog();
  const f = await startPop3({ limits: createPop3Limits(loadConfig({ env: {} })) });
  teardown.defer(() => f.close());
  const [a, b] = [await coordination(redis, f), await coordination(redis, f)];
  const limitsOf = (c: RedisCoordination) => {
    const limits = createPop3Limits(f.config, c.loginFailures, c.locks, logger);
    return leaseMs === undefined ? limits : { ...limits, maildrops: new MaildropLocks(c.locks, logger, leaseMs) };
  };
  const servers = [limitsOf(a), limitsOf(b)].map((limits) =>
    createPop3Server({
      config: f.config,
      logger,
      control: f.control,
      mailstore: f.otherProcess(),
      tls: createSelfSignedPair('localhost'),
      limits,
      closeTimeoutMs: 200,
    }),
  );
  const ports: number[] = [];
  for (const server of servers) {
    ports.push(await server.listen(0, '127.0.0.1'));
    teardown.defer(() => server.close());
  }
  await f.deliver(message('shared maildrop'));
  return { ports: ports as [number, number], a, b };
}

const available = redisServerAvailable();

describe.skipIf(!available)('maildrop lock across pop3 instances (Redis)', () => {
  let redis: RedisServer;

  test('a session on one instance locks the maildrop against the other until QUIT', async () => {
    redis = await startRedisServer();
    teardown.defer(() => redis.stop());
    const { ports } = await twoInstances(redis);
    const first = await login(ports[0]);
    expect(first.reply).toMatch(LOGGED_IN);
    const second = await login(ports[1]);
    expect(second.reply).toMatch(/^-ERR \[IN-USE\] /);
    expect(await first.wire.command('QUIT')).toMatch(/^\+OK/);
    expect(await second.wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await second.wire.command(`PASS ${PASSWORD}`)).toMatch(LOGGED_IN);
    // And now the first instance is the one refused.
    expect((await login(ports[0])).reply).toMatch(/^-ERR \[IN-USE\] /);
  });

  test('an instance that dies with the maildrop open frees it within one lease', async () => {
    redis = await startRedisServer();
    teardown.defer(() => redis.stop());
    const leaseMs = 600;
    const { ports, a } = await twoInstances(redis, leaseMs);
    const first = await login(ports[0]);
    expect(first.reply).toMatch(LOGGED_IN);
    expect((await login(ports[1])).reply).toMatch(/^-ERR \[IN-USE\] /);
    // The instance dies: its Redis connections go (nothing renews the lease), its sockets stay up (a hung process).
    await a.close();
    const died = Date.now();
    const taken = await waitFor(
      async () => {
        const attempt = await login(ports[1]);
        return LOGGED_IN.test(attempt.reply) ? Date.now() : undefined;
      },
      10_000,
      100,
    );
    expect(taken - died).toBeLessThan(leaseMs + 1_000);
  });
});
