/**
 * Two imap processes (src/main.ts, started as PM2 starts an instance) on one data directory and one private
 * redis-server: an IDLE session on one instance hears deliveries and flag changes made through the other, failed
 * logins are counted across both, a killed instance loses nothing a client was told was stored, and a Redis killed
 * and restarted under load costs no command (events go through the data dir's files meanwhile).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import {
  noteChildLogLine,
  type RedisServer,
  redisServerAvailable,
  repoRoot,
  startRedisServer,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DOMAIN, message, PASSWORD } from './harness.js';
import { loginWire, openWire, type WireClient } from './wire-client.js';

/** Failed logins per client address (and per user + address) per hour, lowered so the test stays short. */
const FAILURES_ALLOWED = 4;

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<void>;
}

interface User {
  address: string;
  mailboxId: string;
}

function startInstance(name: string, dataDir: string, redisUrl: string): Promise<Instance> {
  const root = repoRoot();
  // node itself (not the tsx wrapper, which runs node as a child), so that SIGKILL kills the instance.
  const main = join(root, 'apps', 'imap', 'src', 'main.ts');
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      MAILYARD_DATA_DIR: dataDir,
      MAILYARD_REDIS_URL: redisUrl,
      MAILYARD_HOSTNAME: 'localhost',
      MAILYARD_ALLOW_INSECURE_AUTH: 'true',
      MAILYARD_LOG_LEVEL: 'info',
      MAILYARD_LOG_PRETTY: 'false',
      MAILYARD_IMAP_PORT: '0',
      MAILYARD_IMAP_TLS_PORT: '0',
      MAILYARD_METRICS_IMAP_PORT: '0',
      MAILYARD_IMAP_AUTH_FAILURES_PER_IP_PER_HOUR: String(FAILURES_ALLOWED),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const text of complete) {
        noteChildLogLine(text);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue;
        }
        lines.push(line);
        if (line.msg === 'imap listening') resolve({ name, port: Number(line.port), child, lines, exited });
      }
    });
    child.once('exit', (code) => reject(new Error(`imap instance ${name} exited ${code} before listening`)));
  });
}

async function stopInstance(instance: Instance | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!instance || instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  instance.child.kill(signal);
  await instance.exited;
}

/** An account, domain and one IMAP user in the data dir, made the way the api and the CLI make them. */
async function createUser(dataDir: string): Promise<User> {
  const config = loadConfig({ env: {}, overrides: { dataDir, hostname: 'localhost' } });
  const runtime = await ensureRuntimeFiles(config);
  const control = new SqliteControlStore({
    dataDir,
    masterKey: runtime.masterKey,
    scryptCost: { N: 1024, r: 8, p: 1 },
  });
  const mailstore = new Mailstore({ dataDir, kdf: { N: 1024 } });
  try {
    const account = await control.createAccount({ email: `admin@${DOMAIN}`, password: PASSWORD });
    const domain = await control.createDomain({
      accountId: account.id,
      name: DOMAIN,
      verificationToken: 'token',
      dkim: { selector: 'test', publicKey: 'AAAA', privateKeyPem: 'unused' },
      verified: true,
    });
    const alias = await control.createAlias(domain.id, { name: 'shared', hasImap: true });
    const mailboxId = randomBytes(8).toString('hex');
    await mailstore.createMailbox(mailboxId, PASSWORD);
    await control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
    return { address: `shared@${DOMAIN}`, mailboxId };
  } finally {
    await mailstore.close();
    await control.close();
  }
}

function append(wire: WireClient, tag: string, subject: string): Promise<string> {
  const body = message(subject);
  wire.send(`${tag} APPEND INBOX {${Buffer.byteLength(body)}+}\r\n${body}\r\n`);
  return wire.readUntil(new RegExp(`^${tag} (OK|NO|BAD)`));
}

/** redis-cli (Debian redis-tools, which redis-server depends on) against the test's server; one reply per line. */
function redisCli(redis: RedisServer, ...args: string[]): Promise<string[]> {
  const socket = new URL(redis.url).pathname;
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-s', socket, ...args], (err, stdout) =>
      err ? reject(err) : resolve(stdout.split('\n').filter(Boolean)),
    );
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const available = redisServerAvailable();

describe.skipIf(!available)('two imap instances sharing one Redis', () => {
  let redis: RedisServer;
  let dir: TempDir;
  let user: User;
  let a: Instance;
  let b: Instance;
  const clients: WireClient[] = [];

  const login = async (instance: Instance) => {
    const wire = await loginWire(instance.port, user.address, PASSWORD);
    clients.push(wire);
    return wire;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = await tempDir('mailyard-imap-instances-');
    user = await createUser(dir.path);
    [a, b] = await Promise.all([startInstance('a', dir.path, redis.url), startInstance('b', dir.path, redis.url)]);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([stopInstance(a), stopInstance(b)]);
    await redis?.stop();
    await dir?.cleanup();
  });

  test('each instance says it coordinates over Redis', () => {
    for (const instance of [a, b]) {
      expect(instance.lines.find((line) => line.msg === 'imap listening')).toMatchObject({ coordination: 'redis' });
      const announced = instance.lines.find((line) => line.msg === 'coordination over redis');
      expect(announced?.redis).toMatch(/^unix:\/\//);
    }
  });

  test('IDLE on one instance hears deliveries and flag changes made through the other (latency printed)', async () => {
    const watcher = await login(a);
    const writer = await login(b);
    expect(await append(writer, 'A0', 'first')).toMatch(/^A0 OK/m);
    await watcher.command('S0', 'SELECT INBOX');
    // The watcher's subscription is in Redis before anything is timed.
    await waitFor(
      async () => (await redisCli(redis, 'PUBSUB', 'CHANNELS', `mailyard:ev:${user.mailboxId}`)).length === 1,
    );
    await writer.command('S1', 'SELECT INBOX');
    watcher.send('I1 IDLE\r\n');
    await watcher.readUntil(/^\+ /);

    const latencies: number[] = [];
    for (let round = 0; round < 20; round++) {
      const sent = performance.now();
      const verb = round % 2 === 0 ? '+FLAGS' : '-FLAGS';
      expect(await writer.command(`F${round}`, `STORE 1 ${verb} (\\Flagged)`)).toMatch(
        new RegExp(`^F${round} OK`, 'm'),
      );
      const seen = await watcher.readUntil(/^\* 1 FETCH/, 5_000);
      latencies.push(performance.now() - sent);
      if (round % 2 === 0) expect(seen).toMatch(/FLAGS \([^)]*\\Flagged/);
      else expect(seen).not.toMatch(/\\Flagged/);
    }
    for (let n = 2; n <= 6; n++) {
      const sent = performance.now();
      expect(await append(writer, `A${n}`, `delivery ${n}`)).toMatch(new RegExp(`^A${n} OK`, 'm'));
      await watcher.readUntil(new RegExp(`^\\* ${n} EXISTS`), 5_000);
      latencies.push(performance.now() - sent);
    }
    console.log(
      `imap instances over redis: change through b -> untagged reply on a's IDLE: p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms (${latencies.length} changes)`,
    );
    expect(percentile(latencies, 99)).toBeLessThan(1000);
    watcher.send('DONE\r\n');
    await watcher.readUntil(/^I1 OK/);
  }, 60_000);

  test(`failed logins count across instances: ${FAILURES_ALLOWED} per address in all, then NO [LIMIT] on both`, async () => {
    const failures = [a, b, a, b].slice(0, FAILURES_ALLOWED);
    for (const [n, instance] of failures.entries()) {
      const wire = await openWire(instance.port);
      clients.push(wire);
      const reply = await wire.command(`L${n}`, `LOGIN "${user.address}" "wrong password ${n}"`);
      expect(reply).toMatch(new RegExp(`^L${n} NO \\[AUTHENTICATIONFAILED\\]`, 'm'));
      wire.close();
    }
    for (const instance of [a, b]) {
      const wire = await openWire(instance.port);
      clients.push(wire);
      // Even the right password is refused now, on either instance: the counter is the one in Redis.
      expect(await wire.command('L9', `LOGIN "${user.address}" "${PASSWORD}"`)).toMatch(/^L9 NO \[LIMIT\]/m);
      wire.close();
    }
    const keys = await redisCli(redis, '--scan', '--pattern', 'mailyard:lf:imap:*');
    expect(keys.length).toBeGreaterThan(0);
    // Clear them so the tests after this one can log in again.
    await redisCli(redis, 'DEL', ...keys);
  });

  test('Redis killed and restarted under load: no command fails, IDLE keeps hearing changes, warnings logged', async () => {
    const watcher = await login(a);
    const writer = await login(b);
    const selected = await watcher.command('S0', 'SELECT INBOX');
    const exists = Number(/^\* (\d+) EXISTS/m.exec(selected)?.[1]);
    await writer.command('S1', 'SELECT INBOX');
    watcher.send('I1 IDLE\r\n');
    await watcher.readUntil(/^\+ /);
    let round = 0;
    const storeAndHear = async () => {
      const verb = round % 2 === 0 ? '+FLAGS' : '-FLAGS';
      const tag = `R${round++}`;
      expect(await writer.command(tag, `STORE 1 ${verb} (\\Seen)`)).toMatch(new RegExp(`^${tag} OK`, 'm'));
      await watcher.readUntil(/^\* 1 FETCH/, 5_000);
    };
    for (let n = 0; n < 5; n++) await storeAndHear();
    await redis.kill();
    // Both instances notice (a command or the connection fails) and say so once.
    await waitFor(
      () => [a, b].every((instance) => instance.lines.some((line) => String(line.msg).startsWith('Redis unreachable'))),
      10_000,
    );
    for (let n = 0; n < 10; n++) await storeAndHear();
    expect(await append(writer, 'A1', 'during the outage')).toMatch(/^A1 OK/m);
    await watcher.readUntil(new RegExp(`^\\* ${exists + 1} EXISTS`), 5_000);
    await redis.start();
    await waitFor(
      () =>
        [a, b].every((instance) => instance.lines.some((line) => String(line.msg).startsWith('Redis reachable again'))),
      15_000,
    );
    for (let n = 0; n < 10; n++) await storeAndHear();
    for (const instance of [a, b]) {
      const warnings = instance.lines.filter((line) => String(line.msg).startsWith('Redis unreachable'));
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      for (const warning of warnings) expect(JSON.stringify(warning)).not.toContain('password');
    }
    watcher.send('DONE\r\n');
    await watcher.readUntil(/^I1 OK/);
  }, 60_000);

  test('an instance killed mid-session: the client reconnects to the other and finds every acknowledged message', async () => {
    const doomed = await login(a);
    const select = await doomed.command('S0', 'SELECT INBOX');
    const before = Number(/^\* (\d+) EXISTS/m.exec(select)?.[1]);
    const subjects: string[] = [];
    for (let n = 0; n < 5; n++) {
      const subject = `before the crash ${n}`;
      expect(await append(doomed, `K${n}`, subject)).toMatch(new RegExp(`^K${n} OK`, 'm'));
      subjects.push(subject);
    }
    doomed.send('I1 IDLE\r\n');
    await doomed.readUntil(/^\+ /);
    await stopInstance(a, 'SIGKILL');
    await doomed.closed();

    const survivor = await login(b);
    const reselect = await survivor.command('S1', 'SELECT INBOX');
    expect(Number(/^\* (\d+) EXISTS/m.exec(reselect)?.[1])).toBe(before + subjects.length);
    const fetched = await survivor.command('F1', `FETCH ${before + 1}:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])`);
    for (const subject of subjects) expect(fetched).toContain(subject);
  }, 60_000);
});
