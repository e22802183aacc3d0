/**
 * Scaling bench, on this machine: IMAP logins/s and FETCH throughput with 1 and with 2 instances of the imap
 * process, SMTP inbound msg/s with 1 and 2 instances of the mx process (smtp-inbound.ts), and IDLE latency with
 * the change event carried by Redis or by the embedded notifier (idle-latency.ts). The load average is printed
 * with every figure: on a shared machine the figures move with it.
 *
 * The instances run as PM2 cluster mode runs them (cluster.ts): node's cluster module, this process the primary
 * holding the shared port and handing connections out in turn, each worker an app's src/main.ts with
 * MAILYARD_REDIS_URL pointing at a private redis-server. The clients run in this process too (the primary's work
 * is PM2's daemon's work), so on a 2-core machine the second instance competes with them for the second core.
 *
 *   pnpm --filter @mailyard/bench run scaling
 *   (SECONDS=5 CLIENTS=16 SMTP_MESSAGES=1500 IDLE_DELIVERIES=100 to change the load)
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import { type RedisServer, redisServerAvailable, startRedisServer, tempDir } from '@mailyard/testkit';
import { startWorkers } from './cluster.js';
import { measureIdleLatency } from './idle-latency.js';
import { measureSmtpInbound, SMTP_SENDERS, SMTP_SIZE } from './smtp-inbound.js';
import { Wire } from './wire.js';

const SECONDS = Number(process.env.SECONDS ?? 5);
const CLIENTS = Number(process.env.CLIENTS ?? 16);
const USERS = 8;
const MESSAGES = 100;
const PASSWORD = 'scaling bench password';
const DOMAIN = 'bench.test';

function message(n: number): string {
  const body = `${'Scaling bench line of text, repeated to make a realistic message body. '.repeat(20)}\r\n`.repeat(20);
  return [
    `From: a@${DOMAIN}`,
    `To: b@${DOMAIN}`,
    `Subject: message ${n}`,
    `Message-ID: <${n}@${DOMAIN}>`,
    '',
    body,
  ].join('\r\n');
}

async function prepare(dataDir: string): Promise<string[]> {
  const config = loadConfig({ env: {}, overrides: { dataDir, hostname: 'localhost' } });
  const runtime = await ensureRuntimeFiles(config);
  const control = new SqliteControlStore({ dataDir, masterKey: runtime.masterKey });
  const mailstore = new Mailstore({ dataDir });
  const account = await control.createAccount({ email: `admin@${DOMAIN}`, password: PASSWORD });
  const domain = await control.createDomain({
    accountId: account.id,
    name: DOMAIN,
    verificationToken: 'token',
    dkim: { selector: 'bench', publicKey: 'AAAA', privateKeyPem: 'unused' },
    verified: true,
  });
  const addresses: string[] = [];
  for (let u = 0; u < USERS; u++) {
    const alias = await control.createAlias(domain.id, { name: `user${u}`, hasImap: true });
    const mailboxId = randomBytes(8).toString('hex');
    await mailstore.createMailbox(mailboxId, PASSWORD);
    await control.setMailboxCredential(alias.id, mailboxId, PASSWORD);
    for (let n = 0; n < MESSAGES; n++) await mailstore.deliver(mailboxId, Buffer.from(message(n)));
    addresses.push(`user${u}@${DOMAIN}`);
  }
  await mailstore.close();
  await control.close();
  return addresses;
}

/** Runs `work` on CLIENTS connections until SECONDS pass; returns the rounds done and the bytes received. */
async function load(round: (client: number) => Promise<number>): Promise<{ rounds: number; bytes: number }> {
  const end = performance.now() + SECONDS * 1000;
  let rounds = 0;
  let bytes = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      while (performance.now() < end) {
        const received = await round(client);
        bytes += received;
        rounds++;
      }
    }),
  );
  return { rounds, bytes };
}

async function measure(instances: number, dataDir: string, redis: RedisServer, users: string[]) {
  const { port, stop } = await startWorkers({
    app: 'imap',
    count: instances,
    listening: 'imap listening',
    env: {
      MAILYARD_DATA_DIR: dataDir,
      MAILYARD_REDIS_URL: redis.url,
      MAILYARD_HOSTNAME: 'localhost',
      MAILYARD_ALLOW_INSECURE_AUTH: 'true',
      MAILYARD_IMAP_PORT: '0',
      MAILYARD_IMAP_TLS_PORT: '0',
      MAILYARD_MANAGESIEVE_PORT: '0',
      MAILYARD_IMAP_AUTH_FAILURES_PER_IP_PER_HOUR: '1000',
      MAILYARD_IMAP_MAX_CONNECTIONS_PER_IP: '1000',
    },
  });
  try {
    let tag = 0;
    const login = async (client: number) => {
      const wire = await Wire.open(port);
      const reply = await wire.command(`L${tag++}`, `LOGIN "${users[client % users.length]}" "${PASSWORD}"`);
      if (!/ OK/.test(reply.split('\r\n').at(-2) ?? '')) throw new Error(`login failed: ${reply}`);
      await wire.command(`Q${tag++}`, 'LOGOUT');
      wire.socket.destroy();
      return 0;
    };
    // A first round unmeasured: each instance's first login of a user pays the mailbox KDF (later ones hit its
    // login cache), and which instance gets which connection is the primary's round robin.
    await load(login);
    const logins = await load(login);
    const sessions = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const wire = await Wire.open(port);
        await wire.command('L', `LOGIN "${users[client % users.length]}" "${PASSWORD}"`);
        await wire.command('S', 'SELECT INBOX');
        return wire;
      }),
    );
    const fetches = await load(async (client) => {
      const wire = sessions[client] as Wire;
      const before = wire.bytes;
      const reply = await wire.command(`F${tag++}`, `FETCH 1:${MESSAGES} BODY.PEEK[]`);
      if (!/^F\d+ OK/m.test(reply.slice(-200))) throw new Error(`FETCH failed: ${reply.slice(-200)}`);
      return wire.bytes - before;
    });
    for (const wire of sessions) wire.socket.destroy();
    return {
      loginsPerSecond: logins.rounds / SECONDS,
      messagesPerSecond: (fetches.rounds * MESSAGES) / SECONDS,
      mbPerSecond: fetches.bytes / SECONDS / 1024 ** 2,
    };
  } finally {
    await stop();
  }
}

/** The machine's load while measuring: the figures are only comparable with the load they were taken under. */
function loadAverage(): string {
  return `load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')} on ${cpus().length} cores`;
}

const SMTP_MESSAGES = Number(process.env.SMTP_MESSAGES ?? 1500);
const IDLE_DELIVERIES = Number(process.env.IDLE_DELIVERIES ?? 100);

if (!redisServerAvailable()) process.exit(0);
const redis = await startRedisServer();
const dir = await tempDir('mailyard-bench-scaling-');
try {
  console.log(`scaling bench start: ${loadAverage()}`);
  const users = await prepare(dir.path);
  const results = [];
  for (const instances of [1, 2]) {
    const result = await measure(instances, dir.path, redis, users);
    results.push(result);
    console.log(
      `imap, ${instances} instance(s), ${CLIENTS} clients, ${SECONDS} s: ${result.loginsPerSecond.toFixed(0)} logins/s ` +
        `(LOGIN + LOGOUT on a new connection, after a warm-up round); FETCH BODY[] ${result.messagesPerSecond.toFixed(0)} messages/s, ` +
        `${result.mbPerSecond.toFixed(1)} MB/s; ${loadAverage()}`,
    );
  }
  const [one, two] = results as [(typeof results)[0], (typeof results)[0]];
  console.log(
    `imap gain from a second instance: logins x${(two.loginsPerSecond / one.loginsPerSecond).toFixed(2)}, ` +
      `FETCH x${(two.messagesPerSecond / one.messagesPerSecond).toFixed(2)}`,
  );

  const inbound = [];
  for (const instances of [1, 2]) {
    const run = await measureSmtpInbound(instances, redis.url, SMTP_MESSAGES);
    inbound.push(run);
    console.log(
      `smtp inbound (mx), ${instances} instance(s), ${SMTP_SENDERS} sessions, ${SMTP_SIZE / 1024} KB, ` +
        `${SMTP_MESSAGES} messages: ${run.rate.toFixed(0)} msg/s (at 250), MAIL FROM -> 250 p50 ` +
        `${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms; ${loadAverage()}`,
    );
  }
  const [mxOne, mxTwo] = inbound as [(typeof inbound)[0], (typeof inbound)[0]];
  console.log(`smtp inbound gain from a second instance: x${(mxTwo.rate / mxOne.rate).toFixed(2)}`);

  for (const transport of ['embedded', 'redis'] as const) {
    const idle = await measureIdleLatency(transport, redis.url, IDLE_DELIVERIES);
    console.log(
      `IDLE latency, ${transport === 'redis' ? 'Redis pub/sub' : 'embedded notifier (event files)'}: delivery ` +
        `acknowledged -> * N EXISTS p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms, ` +
        `max ${idle.max.toFixed(1)} ms (${idle.deliveries} deliveries of 4 KB); ${loadAverage()}`,
    );
  }
} finally {
  await redis.stop();
  await dir.cleanup();
}
