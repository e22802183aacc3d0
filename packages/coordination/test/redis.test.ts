/**
 * The Redis implementation against a real redis-server started by the test (test/redis-server.ts): the contract
 * over a unix socket with a password and over TLS (rediss://), two instances sharing counters, failed logins and
 * locks, mailbox events through two mail stores, and the publish -> receive latency (printed).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LoginGate } from '@mailyard/limits';
import { type ChangeEvent, FileChangeNotifier, Mailstore } from '@mailyard/mailstore';
import {
  captureLog,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createCoordination,
  createRedisCoordination,
  parseRedisUrl,
  type RedisCoordination,
  type RedisCoordinationOptions,
} from '../src/index.js';
import { runCoordinationContract } from './contract.js';

const PASSWORD = 'p@ss word/with:odd#chars';

/** The fallback event files of a mailbox under dataDir/notify: none while Redis carries the events. */
function eventFiles(dataDir: string, mailboxId: string): string[] {
  const root = join(dataDir, 'notify');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((path) =>
    path.endsWith(`${mailboxId}.events`),
  );
}
const available = redisServerAvailable();

async function pair(
  url: string,
  extra: Partial<RedisCoordinationOptions> = {},
): Promise<{ first: RedisCoordination; second: RedisCoordination; dir: TempDir; log: ReturnType<typeof captureLog> }> {
  const dir = await tempDir('mailyard-coordination-');
  const log = captureLog();
  const options = { url, dataDir: dir.path, logger: log.logger, notifyPollMs: 50, ...extra };
  const first = await createRedisCoordination(options);
  const second = await createRedisCoordination(options);
  return { first, second, dir, log };
}

describe.skipIf(!available)('Redis coordination', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer({ password: PASSWORD, tls: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  runCoordinationContract('redis over a unix socket with a password', async () => {
    const { first, second, dir, log } = await pair(server.url);
    expect(first.shared && second.shared).toBe(true);
    return {
      first,
      second,
      dispose: async () => {
        await first.close();
        await second.close();
        await dir.cleanup();
        expect(log.atLeast(40)).toEqual([]);
      },
    };
  });

  runCoordinationContract('redis over TLS (rediss://) with a password', async () => {
    const { first, second, dir, log } = await pair(server.tlsUrl ?? '', { tls: { ca: server.certificate } });
    expect(first.shared && second.shared).toBe(true);
    return {
      first,
      second,
      dispose: async () => {
        await first.close();
        await second.close();
        await dir.cleanup();
        expect(log.atLeast(40)).toEqual([]);
      },
    };
  });

  describe('two instances', () => {
    let first: RedisCoordination;
    let second: RedisCoordination;
    let dir: TempDir;
    beforeAll(async () => {
      ({ first, second, dir } = await pair(server.url, { namespace: 'two-instances:' }));
    });
    afterAll(async () => {
      await first?.close();
      await second?.close();
      await dir?.cleanup();
    });

    test('one source while Redis is in use: subscriptions do not read the event files', async () => {
      const box = 'd'.repeat(32);
      await waitFor(() => !first.events.watchingFiles && !second.events.watchingFiles);
      const heard: ChangeEvent[] = [];
      const off = second.events.subscribe(box, (event) => heard.push(event));
      // A process that writes the files alone, and a plain reader of the files beside the subscription.
      const writer = new FileChangeNotifier(dir.path, { pollMs: 50 });
      const reader = new FileChangeNotifier(dir.path, { pollMs: 50 });
      const readFromFiles: ChangeEvent[] = [];
      const offReader = reader.subscribe(box, (event) => readFromFiles.push(event));
      try {
        writer.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid: 1 });
        await waitFor(() => readFromFiles.length === 1);
        first.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid: 2 });
        await waitFor(() => heard.length >= 1);
        expect(heard.map((event) => event.uid)).toEqual([2]);
        expect(second.events.watchingFiles).toBe(false);
      } finally {
        off();
        offReader();
        writer.close();
        reader.close();
      }
    });

    test('share rate-limit counters: the limit holds across both', async () => {
      const results = [];
      for (let i = 0; i < 10; i++) results.push(await (i % 2 ? second : first).consume('shared-rl', 6, 60_000));
      expect(results.filter((r) => r.allowed)).toHaveLength(6);
      expect(results.slice(6).every((r) => !r.allowed)).toBe(true);
      expect((await first.rateLimits.increment('raw', 60_000, 2)).count).toBe(2);
      expect((await second.rateLimits.increment('raw', 60_000, 3)).count).toBe(5);
    });

    test('share failed logins: 10 per address means 10 across both instances', async () => {
      const gates = [first, second].map((c) => new LoginGate({ perIp: 10, perUserIp: 5, store: c.loginFailures }));
      for (let i = 0; i < 10; i++) {
        const gate = gates[i % 2] as LoginGate;
        expect((await gate.check('203.0.113.7', `user${i}`)).allowed).toBe(true);
        await gate.fail('203.0.113.7', `user${i}`);
      }
      for (const gate of gates) expect(await gate.check('203.0.113.7', 'another')).toMatchObject({ allowed: false });
      expect((await gates[1]?.check('203.0.113.8', 'user0'))?.allowed).toBe(true);
    });

    test('share locks: one holder across both, fencing tokens increase across both', async () => {
      const a = await first.locks.acquire('pop3:maildrop:box', 10_000);
      expect(a).not.toBeNull();
      expect(await second.locks.acquire('pop3:maildrop:box', 10_000)).toBeNull();
      await a?.release();
      const b = await second.locks.acquire('pop3:maildrop:box', 10_000);
      expect(b?.token).toBeGreaterThan(a?.token ?? Number.POSITIVE_INFINITY);
      expect(await first.locks.acquire('pop3:maildrop:box', 10_000)).toBeNull();
      await b?.release();
    });

    test('concurrent acquisitions from both: never two holders, tokens strictly increasing', async () => {
      let holders = 0;
      let most = 0;
      const tokens: number[] = [];
      const worker = async (coordination: RedisCoordination) => {
        for (let done = 0; done < 15; ) {
          const lock = await coordination.locks.acquire('contended', 5_000);
          if (!lock) {
            await new Promise((resolve) => setTimeout(resolve, 1));
            continue;
          }
          holders += 1;
          most = Math.max(most, holders);
          tokens.push(lock.token);
          await new Promise((resolve) => setTimeout(resolve, 2));
          holders -= 1;
          await lock.release();
          done += 1;
        }
      };
      await Promise.all([worker(first), worker(second), worker(first), worker(second)]);
      expect(most).toBe(1);
      expect(tokens).toHaveLength(60);
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] ?? 0);
    });

    test('a lease taken by one instance expires for the other', async () => {
      const a = await first.locks.acquire('short', 150);
      expect(await second.locks.acquire('short', 150)).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const b = await second.locks.acquire('short', 10_000);
      expect(b?.token).toBeGreaterThan(a?.token ?? Number.POSITIVE_INFINITY);
      expect(await a?.extend()).toBe(false);
      await b?.release();
    });

    test('publish -> receive latency between instances (printed), every event in order', async () => {
      const box = 'b'.repeat(32);
      const sentAt = new Map<number, number>();
      const latencies: number[] = [];
      const received: number[] = [];
      const off = second.events.subscribe(box, (event) => {
        const uid = event.uid ?? -1;
        received.push(uid);
        latencies.push(performance.now() - (sentAt.get(uid) ?? Number.NaN));
      });
      for (let uid = 1; uid <= 300; uid++) {
        sentAt.set(uid, performance.now());
        first.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid });
        if (uid % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await waitFor(() => received.length === 300);
      off();
      expect(received).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      const sorted = [...latencies].sort((x, y) => x - y);
      const p50 = sorted[Math.floor(sorted.length * 0.5)] ?? Number.NaN;
      const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN;
      console.log(`redis pub/sub publish -> receive: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (300 events)`);
      expect(p99).toBeLessThan(1_000);
      expect(eventFiles(dir.path, box)).toEqual([]);
    });

    test('as MailstoreOptions.notifier: a delivery and a flag change through one store reach the other', async () => {
      const kdf = { N: 1024, r: 8, p: 1 };
      const storeA = new Mailstore({ dataDir: dir.path, kdf, notifier: first.events });
      const storeB = new Mailstore({ dataDir: dir.path, kdf, notifier: second.events });
      try {
        const mailboxId = 'c'.repeat(32);
        await storeA.createMailbox(mailboxId, 'pw');
        const sessionA = await storeA.open(mailboxId, 'pw');
        const sessionB = await storeB.open(mailboxId, 'pw');
        const raw = Buffer.from('From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nhello\r\n');
        let started = performance.now();
        await storeA.deliver(mailboxId, raw);
        await waitFor(() => sessionB.listMessages('INBOX').length === 1, 5_000, 2);
        const deliveryMs = performance.now() - started;
        const flagEvents: number[] = [];
        const off = storeB.notifier.subscribe(mailboxId, (event) => {
          if (event.kind === 'flags' && event.folder === 'INBOX') flagEvents.push(performance.now());
        });
        const uid = sessionA.listMessages('INBOX')[0]?.uid ?? 0;
        started = performance.now();
        sessionA.store('INBOX', [uid], { mode: 'add', flags: ['\\Seen'] });
        await waitFor(() => flagEvents.length > 0, 5_000, 2);
        const flagMs = (flagEvents[0] ?? Number.NaN) - started;
        off();
        expect(sessionB.listMessages('INBOX')[0]?.flags).toContain('\\Seen');
        console.log(
          `mail store over redis: delivery visible in the other store's session after ${deliveryMs.toFixed(1)} ms, ` +
            `flag change event after ${flagMs.toFixed(1)} ms`,
        );
        sessionA.close();
        sessionB.close();
      } finally {
        await storeA.close();
        await storeB.close();
      }
    });
  });

  test('createCoordination with a Redis URL is the Redis implementation, connected', async () => {
    await using dir = await tempDir('mailyard-coordination-');
    const log = captureLog();
    const coordination = await createCoordination({ dataDir: dir.path, logger: log.logger, redisUrl: server.url });
    try {
      expect(coordination.backend).toBe('redis');
      expect((coordination as RedisCoordination).shared).toBe(true);
    } finally {
      await coordination.close();
    }
  });

  test('lazy: no connection until used; a queue wake-up opens the command connection, a subscribe the other', async () => {
    await using dir = await tempDir('mailyard-coordination-');
    const log = captureLog();
    const observer = new Redis(parseRedisUrl(server.url));
    /** Connections of this test's coordination, told apart from the others' by a client name set for it. */
    const connections = async () =>
      String(await observer.client('LIST'))
        .split('\n')
        .filter((line) => / name=mailyard /.test(line)).length;
    const before = await connections();
    const lazy = await createCoordination({ dataDir: dir.path, logger: log.logger, redisUrl: server.url, lazy: true });
    const eager = await createRedisCoordination({ url: server.url, dataDir: dir.path, logger: log.logger });
    try {
      expect(await connections()).toBe(before + 2);
      let woken = 0;
      const off = eager.queue.subscribe(() => woken++);
      lazy.queue.notify();
      await waitFor(() => woken === 1);
      expect(await connections()).toBe(before + 3);
      const offLazy = lazy.events.subscribe('a'.repeat(32), () => undefined);
      await waitFor(async () => (await connections()) === before + 4);
      off();
      offLazy();
      expect(log.atLeast(40)).toEqual([]);
    } finally {
      await lazy.close();
      await eager.close();
      observer.disconnect();
    }
  });

  test('TLS checks the certificate: an untrusted self-signed one is refused (fallback, one warning)', async () => {
    const { first, second, dir, log } = await pair(server.tlsUrl ?? '', { firstConnectWaitMs: 500 });
    try {
      expect(first.shared || second.shared).toBe(false);
      expect((await first.consume('tls', 1, 60_000)).allowed).toBe(true);
      const warnings = log.atLeast(40);
      expect(warnings).toHaveLength(2);
      expect(JSON.stringify(warnings[0]?.failure)).toMatch(/certificate/i);
      expect(warnings[0]?.redis).toMatch(/^rediss:\/\/:\[Redacted\]@127\.0\.0\.1:\d+$/);
      expect(log.text).not.toContain(encodeURIComponent(PASSWORD));
      expect(log.text).not.toContain(PASSWORD);
    } finally {
      await first.close();
      await second.close();
      await dir.cleanup();
    }
  });

  test('a wrong password: no throw, one warning without the password, per-process fallback', async () => {
    const wrong = server.url.replace(encodeURIComponent(PASSWORD), 'not-the-password');
    const { first, second, dir, log } = await pair(wrong, { firstConnectWaitMs: 500 });
    try {
      expect(first.shared).toBe(false);
      expect((await first.consume('k', 1, 60_000)).allowed).toBe(true);
      expect((await second.consume('k', 1, 60_000)).allowed).toBe(true);
      expect((await first.consume('k', 1, 60_000)).allowed).toBe(false);
      const lock = await first.locks.acquire('x', 1_000);
      expect(lock).not.toBeNull();
      const warnings = log.atLeast(40);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]?.redis).toMatch(/^unix:\/\/.*password=\[Redacted\]$/);
      expect(log.text).not.toContain('not-the-password');
    } finally {
      await first.close();
      await second.close();
      await dir.cleanup();
    }
  });
});
