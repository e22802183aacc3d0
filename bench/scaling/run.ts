/**
 * Scaling bench: IMAP logins/s and FETCH throughput with 1 and with 2 instances of the imap process, on this
 * machine. The instances run as PM2 cluster mode runs them: node's cluster module, this process the primary
 * holding the shared port and handing connections out in turn, each worker apps/imap/src/main.ts with
 * MAILYARD_REDIS_URL pointing at a private redis-server. The clients run in this process too (the primary's work
 * is PM2's daemon's work), so on a 2-core machine the second instance competes with them for the second core.
 *
 *   pnpm --filter @mailyard/bench run scaling        (SECONDS=5 CLIENTS=16 to change the load)
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import { type RedisServer, redisServerAvailable, repoRoot, startRedisServer, tempDir } from '@mailyard/testkit';

const SECONDS = Number(process.env.SECONDS ?? 5);
const CLIENTS = Number(process.env.CLIENTS ?? 16);
const USERS = 8;
const MESSAGES = 100;
const PASSWORD = 'scaling bench password';
const DOMAIN = 'bench.test';

/** A line-based IMAP client: send a tagged command, resolve with everything up to its tagged reply. */
class Wire {
  #buffer = '';
  #waiting: (() => void) | null = null;
  bytes = 0;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.#buffer += chunk.toString('latin1');
      this.#waiting?.();
    });
    socket.on('error', () => undefined);
  }
  static async open(port: number): Promise<Wire> {
    const wire = new Wire(connect(port, '127.0.0.1'));
    await wire.until(/^\* OK/m);
    return wire;
  }
  until(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => {
      // Only the text after the last complete line already looked at is searched again (a FETCH reply is MBs).
      let from = 0;
      const check = () => {
        const tail = this.#buffer.slice(from);
        const match = pattern.exec(tail);
        if (!match) {
          const lineEnd = tail.lastIndexOf('\r\n');
          if (lineEnd >= 0) from += lineEnd + 2;
          this.#waiting = check;
          return;
        }
        match.index += from;
        const end = this.#buffer.indexOf('\r\n', match.index) + 2;
        const text = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end);
        this.#waiting = null;
        resolve(text);
      };
      check();
    });
  }
  command(tag: string, command: string): Promise<string> {
    this.socket.write(`${tag} ${command}\r\n`);
    return this.until(new RegExp(`^${tag} (OK|NO|BAD)`, 'm'));
  }
}

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

/** Forks `count` imap workers sharing one port; resolves with the port once every one listens. */
async function startWorkers(
  count: number,
  dataDir: string,
  redisUrl: string,
): Promise<{ port: number; workers: Worker[] }> {
  const root = repoRoot();
  cluster.setupPrimary({
    exec: join(root, 'apps', 'imap', 'src', 'main.ts'),
    execArgv: ['--conditions=source', '--import', 'tsx'],
    silent: true,
  });
  const env = {
    MAILYARD_DATA_DIR: dataDir,
    MAILYARD_REDIS_URL: redisUrl,
    MAILYARD_HOSTNAME: 'localhost',
    MAILYARD_ALLOW_INSECURE_AUTH: 'true',
    MAILYARD_LOG_LEVEL: 'info',
    MAILYARD_IMAP_PORT: '0',
    MAILYARD_IMAP_TLS_PORT: '0',
    MAILYARD_METRICS_ENABLED: 'false',
    MAILYARD_IMAP_AUTH_FAILURES_PER_IP_PER_HOUR: '1000',
    MAILYARD_IMAP_MAX_CONNECTIONS_PER_IP: '1000',
  };
  const workers: Worker[] = [];
  const ports = await Promise.all(
    Array.from({ length: count }, (_, index) => {
      const worker = cluster.fork({ ...env, NODE_APP_INSTANCE: String(index) });
      workers.push(worker);
      return new Promise<number>((resolve, reject) => {
        let pending = '';
        worker.process.stdout?.on('data', (chunk: Buffer) => {
          pending += chunk.toString();
          for (const line of pending.split('\n').slice(0, -1)) {
            if (line.includes('"imap listening"')) resolve(Number(JSON.parse(line).port));
          }
          pending = pending.slice(pending.lastIndexOf('\n') + 1);
        });
        worker.once('exit', (code) => reject(new Error(`imap worker exited ${code}`)));
      });
    }),
  );
  if (new Set(ports).size !== 1) throw new Error(`workers listen on different ports: ${ports.join(', ')}`);
  return { port: ports[0] ?? 0, workers };
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  );
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
  const { port, workers } = await startWorkers(instances, dataDir, redis.url);
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
    await stopWorkers(workers);
  }
}

if (!redisServerAvailable()) process.exit(0);
const redis = await startRedisServer();
const dir = await tempDir('mailyard-bench-scaling-');
try {
  const users = await prepare(dir.path);
  const results = [];
  for (const instances of [1, 2]) {
    const result = await measure(instances, dir.path, redis, users);
    results.push(result);
    console.log(
      `imap, ${instances} instance(s), ${CLIENTS} clients, ${SECONDS} s: ${result.loginsPerSecond.toFixed(0)} logins/s ` +
        `(LOGIN + LOGOUT on a new connection, after a warm-up round); FETCH BODY[] ${result.messagesPerSecond.toFixed(0)} messages/s, ` +
        `${result.mbPerSecond.toFixed(1)} MB/s`,
    );
  }
  const [one, two] = results as [(typeof results)[0], (typeof results)[0]];
  console.log(
    `imap gain from a second instance: logins x${(two.loginsPerSecond / one.loginsPerSecond).toFixed(2)}, ` +
      `FETCH x${(two.messagesPerSecond / one.messagesPerSecond).toFixed(2)}`,
  );
} finally {
  await redis.stop();
  await dir.cleanup();
}
