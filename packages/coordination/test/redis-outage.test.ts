/**
 * Redis killed (SIGKILL, no persistence) and restarted while two instances keep calling every member: nothing
 * rejects, each instance logs one warning per outage (without the password), falls back to per-process
 * counters and locks and to the event files, and shares again once Redis is back (locks taken during the outage
 * are carried into Redis by extend(), or reported lost; channels are subscribed again).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  captureLog,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ChangeEvent,
  COORDINATION_LIMITS,
  createRedisCoordination,
  type RedisCoordination,
} from '../src/index.js';

const PASSWORD = 'outage-secret-7d1f';
const WARN = 40;
const available = redisServerAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lines in the fallback event files under dataDir/notify. */
function eventFileLines(dataDir: string): number {
  const root = join(dataDir, 'notify');
  if (!existsSync(root)) return 0;
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.events'))
    .reduce((sum, path) => sum + readFileSync(join(root, path), 'utf8').split('\n').length - 1, 0);
}

describe.skipIf(!available)('Redis killed and restarted during use', () => {
  let server: RedisServer;
  let dir: TempDir;
  let first: RedisCoordination;
  let second: RedisCoordination;
  const log = captureLog();
  const rejections: unknown[] = [];
  let loadCalls = 0;
  let loading = true;
  let load: Promise<void>;

  /** Every member, from both instances, in a loop: the calls an app makes while Redis comes and goes. */
  async function loadLoop(): Promise<void> {
    const box = 'e'.repeat(32);
    const off = second.events.subscribe(box, () => undefined);
    for (let round = 0; loading; round++) {
      const instance = round % 2 ? second : first;
      const calls = [
        instance.consume(`load-${round % 7}`, 1_000, 60_000),
        instance.loginFailures.increment(`load-${round % 5}`, 60_000),
        instance.loginFailures.get(`load-${round % 5}`),
        instance.loginFailures.delete(`load-${(round + 1) % 5}`),
        instance.locks.acquire(`load-${round % 3}`, 2_000).then(async (lock) => {
          await lock?.extend();
          await lock?.release();
        }),
        Promise.resolve().then(() => {
          instance.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid: round });
          instance.queue.notify();
        }),
      ];
      for (const outcome of await Promise.allSettled(calls)) {
        if (outcome.status === 'rejected') rejections.push(outcome.reason);
      }
      loadCalls += calls.length;
      await sleep(5);
    }
    off();
  }

  beforeAll(async () => {
    server = await startRedisServer({ password: PASSWORD });
    dir = await tempDir('mailyard-coordination-');
    const options = { url: server.url, dataDir: dir.path, logger: log.logger, notifyPollMs: 50, commandTimeoutMs: 500 };
    first = await createRedisCoordination(options);
    second = await createRedisCoordination(options);
    load = loadLoop();
  });
  afterAll(async () => {
    loading = false;
    await load;
    await first?.close();
    await second?.close();
    await server?.stop();
    await dir?.cleanup();
  });

  test('warnings, fallback and recovery, with no call rejected', async () => {
    expect(first.shared && second.shared).toBe(true);
    // Some rounds of load through Redis before it goes away.
    await waitFor(() => loadCalls >= 60);
    const before = await first.locks.acquire('maildrop', 60_000);
    const tokenBefore = before?.token ?? Number.POSITIVE_INFINITY;
    await before?.release();

    // A subscription from before the outage: while Redis is in use it does not read the event files.
    const earlier: ChangeEvent[] = [];
    const offEarlier = second.events.subscribe('d'.repeat(32), (event) => earlier.push(event));
    expect(second.events.watchingFiles).toBe(false);

    await server.kill();
    await waitFor(() => !first.shared && !second.shared, 10_000);

    // The files are watched from the outage on, and existing subscriptions are told to re-read (another instance
    // may have written to the files before this one noticed).
    await waitFor(() => second.events.watchingFiles);
    expect(earlier).toEqual([
      { mailboxId: 'd'.repeat(32), folder: '', kind: 'spool' },
      { mailboxId: 'd'.repeat(32), folder: '', kind: 'folder' },
    ]);
    offEarlier();

    // Counters and locks are per process during the outage.
    expect((await first.consume('outage', 1, 60_000)).allowed).toBe(true);
    expect((await second.consume('outage', 1, 60_000)).allowed).toBe(true);
    expect((await first.consume('outage', 1, 60_000)).allowed).toBe(false);
    const heldByFirst = await first.locks.acquire('maildrop', 60_000);
    const heldBySecond = await second.locks.acquire('maildrop', 60_000);
    expect(heldByFirst?.token).toBeGreaterThan(tokenBefore);
    expect(heldBySecond).not.toBeNull();
    expect(await first.locks.acquire('maildrop', 60_000)).toBeNull();

    // Events and queue wake-ups travel through the files on this machine.
    const box = 'f'.repeat(32);
    const received: ChangeEvent[] = [];
    const off = second.events.subscribe(box, (event) => received.push(event));
    let woken = 0;
    const offQueue = second.queue.subscribe(() => woken++);
    first.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'spool' });
    first.queue.notify();
    await waitFor(() => received.length >= 1 && woken >= 1);

    const warnings = log.atLeast(WARN);
    expect(warnings).toHaveLength(2);
    expect(warnings.every((line) => String(line.msg).startsWith('Redis unreachable'))).toBe(true);
    expect(warnings[0]?.redis).toMatch(/password=\[Redacted\]/);

    const restarted = performance.now();
    await server.start();
    await waitFor(() => first.shared && second.shared, 15_000);
    const recoveryMs = performance.now() - restarted;
    expect(log.atLeast(30).filter((line) => String(line.msg).startsWith('Redis reachable again'))).toHaveLength(2);
    expect(log.atLeast(WARN)).toHaveLength(2);

    // Shared again: one limit across both instances.
    const shared = [await first.consume('after', 2, 60_000), await second.consume('after', 2, 60_000)];
    shared.push(await first.consume('after', 2, 60_000));
    expect(shared.map((r) => r.allowed)).toEqual([true, true, false]);

    // Locks from the outage: the first extend() takes the name in the (empty) Redis, the other learns it lost.
    expect(await heldByFirst?.extend()).toBe(true);
    expect(await heldBySecond?.extend()).toBe(false);
    expect(await second.locks.acquire('maildrop', 60_000)).toBeNull();
    await heldByFirst?.release();
    const after = await second.locks.acquire('maildrop', 60_000);
    expect(after?.token).toBeGreaterThan(heldByFirst?.token ?? Number.POSITIVE_INFINITY);
    await after?.release();

    // Past the overlap, events go through Redis only, on channels subscribed again after the reconnect.
    await sleep(COORDINATION_LIMITS.recoveryOverlapMs + 200);
    expect(first.events.watchingFiles || second.events.watchingFiles).toBe(false);
    const linesBefore = eventFileLines(dir.path);
    const count = received.length;
    first.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid: 9 });
    await waitFor(() => received.length === count + 1);
    await sleep(200);
    expect(eventFileLines(dir.path)).toBe(linesBefore);
    off();
    offQueue();

    // A second outage is a second warning per instance.
    await server.kill();
    await waitFor(() => !first.shared && !second.shared, 10_000);
    await first.consume('second-outage', 5, 60_000);
    await waitFor(() => log.atLeast(WARN).length === 4);
    await server.start();
    await waitFor(() => first.shared && second.shared, 15_000);

    console.log(
      `redis outage: ${loadCalls} calls across two outages, ${rejections.length} rejected; ` +
        `shared again ${recoveryMs.toFixed(0)} ms after redis-server restarted`,
    );
    expect(loadCalls).toBeGreaterThan(100);
    expect(rejections).toEqual([]);
    expect(log.text).not.toContain(PASSWORD);
    expect(first.outages + second.outages).toBe(4);
  });
});
