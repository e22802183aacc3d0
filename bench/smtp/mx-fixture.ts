/**
 * What the SMTP benchmarks share: a temp data dir with one hosted domain and one mailbox, a test DNS responder,
 * the built MX process (apps/smtp/dist/main.js) started on a free port, a minimal pipelining SMTP client
 * (RFC 2920), test messages, and the RSS of a process read from /proc. BENCH_SMTP_MAIN names another build of
 * main.js to measure instead (a build of an earlier commit, for a before/after comparison on the same machine).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { SqliteControlStore } from '@mailyard/control';
import { Mailstore } from '@mailyard/mailstore';
import { type DnsServer, repoRoot, startDnsServer, type TempDir, tempDir } from '@mailyard/testkit';

export const PASSWORD = 'bench password';
export const DOMAIN = 'bench.test';
export const MAILBOX_ID = 'benchbox';

/** A message of about `bytes` bytes: a small header and 78-octet lines. */
export function body(bytes: number, i: number): Buffer {
  const head = `From: s${i}@sender.test\r\nTo: inbox@${DOMAIN}\r\nSubject: bench ${i}\r\nMessage-ID: <${i}.${randomBytes(4).toString('hex')}@sender.test>\r\n\r\n`;
  const line = `${'x'.repeat(76)}\r\n`;
  return Buffer.from(head + line.repeat(Math.max(1, Math.ceil((bytes - head.length) / line.length))));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

let nextSource = 0;

/** A minimal pipelining SMTP client (RFC 2920) on one connection. */
export class Sender {
  #socket: Socket;
  #buffer = '';
  #waiting: Array<(line: string) => void> = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('latin1');
      for (let end = this.#buffer.indexOf('\r\n'); end >= 0; end = this.#buffer.indexOf('\r\n')) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        if (/^\d{3} /.test(line)) this.#waiting.shift()?.(line);
      }
    });
  }

  /**
   * Opens a session from the next source address in 127.0.1.1 ... 127.0.1.250: the MX counts messages per client
   * IP (smtp limits mxMessagesPerIpPerHour, 500), so one address would be refused with 451 after 500 messages,
   * and the server runs with its default limit, as a busy MX sees many sending hosts.
   */
  static async open(port: number): Promise<Sender> {
    const localAddress = `127.0.1.${(nextSource++ % 250) + 1}`;
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    await new Promise((resolve) => socket.once('connect', resolve));
    const sender = new Sender(socket);
    await sender.reply();
    sender.#socket.write('EHLO bench.sender.test\r\n');
    await sender.reply();
    return sender;
  }

  reply(): Promise<string> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Sends one message; resolves with the final reply. */
  async send(message: Buffer): Promise<string> {
    const replies = [this.reply(), this.reply(), this.reply()];
    this.#socket.write(`MAIL FROM:<s@sender.test> SIZE=${message.length}\r\nRCPT TO:<inbox@${DOMAIN}>\r\nDATA\r\n`);
    const [mail, rcpt, data] = await Promise.all(replies);
    if (!mail?.startsWith('250') || !rcpt?.startsWith('250') || !data?.startsWith('354')) {
      throw new Error(`refused: ${mail} / ${rcpt} / ${data}`);
    }
    const done = this.reply();
    this.#socket.write(Buffer.concat([message, Buffer.from('.\r\n')]));
    return done;
  }

  close(): void {
    this.#socket.end('QUIT\r\n');
  }
}

/** Current and peak resident set size of a process, in MB. */
export function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export interface MxFixture {
  dir: TempDir;
  dns: DnsServer;
  masterKey: Buffer;
  control: SqliteControlStore;
  mailstore: Mailstore;
  close(): Promise<void>;
}

/** A data dir with bench.test hosted, inbox@bench.test backed by mailbox `benchbox`, and a DNS responder. */
export async function createFixture(): Promise<MxFixture> {
  const dir = await tempDir('mailyard-bench-smtp-');
  const dns = await startDnsServer();
  dns.table.txt.set('sender.test', [['v=spf1 ip4:127.0.0.0/8 -all']]);
  const masterKey = randomBytes(32);
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey });
  const mailstore = new Mailstore({ dataDir: dir.path });
  const account = await control.createAccount({ email: `owner@${DOMAIN}`, password: PASSWORD });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const domain = await control.createDomain({
    accountId: account.id,
    name: DOMAIN,
    verificationToken: 'x',
    verified: true,
    dkim: {
      selector: 'b1',
      publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  });
  const alias = await control.createAlias(domain.id, { name: 'inbox' });
  await mailstore.createMailbox(MAILBOX_ID, PASSWORD);
  await control.setMailboxCredential(alias.id, MAILBOX_ID, PASSWORD);
  return {
    dir,
    dns,
    masterKey,
    control,
    mailstore,
    async close() {
      await mailstore.close();
      await control.close();
      await dns.close();
      await dir.cleanup();
    },
  };
}

/**
 * Starts the built MX process on a free port over the fixture's data dir; `env` adds or overrides settings,
 * `execArgv` gives node options (--cpu-prof ...).
 */
export async function startMx(
  fixture: MxFixture,
  env: Record<string, string> = {},
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const main = process.env.BENCH_SMTP_MAIN ?? join(repoRoot(), 'apps', 'smtp', 'dist', 'main.js');
  const child = fork(main, ['mx'], {
    env: {
      ...process.env,
      MAILYARD_DATA_DIR: fixture.dir.path,
      MAILYARD_MASTER_KEY: fixture.masterKey.toString('hex'),
      MAILYARD_SMTP_MX_PORT: String(port),
      MAILYARD_DNS_RESOLVER: fixture.dns.address,
      MAILYARD_HOSTNAME: 'mx.bench.test',
      MAILYARD_LOG_LEVEL: 'warn',
      MAILYARD_SMTP_MESSAGES_PER_SENDER_PER_HOUR: '1000000',
      MAILYARD_SMTP_MAX_CONNECTIONS_PER_IP: '100',
      MAILYARD_METRICS_MX_PORT: '0',
      // Delivery itself is measured; the spam checks' own cost is in docs/spam.md (env may turn them on).
      MAILYARD_SPAM_ENABLED: 'false',
      ...env,
    },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`mx exited with ${code}`)));
  });
  return {
    child,
    port,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The p-th percentile of ascending values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export interface InboundRun {
  /** Messages accepted per second. */
  rate: number;
  /** Time from MAIL FROM to the 250 after DATA, in ms. */
  p50: number;
  p99: number;
}

/** `total` messages of `size` bytes over `senders` concurrent connections, each waiting for its 250. */
export async function sendInbound(port: number, senders: number, size: number, total: number): Promise<InboundRun> {
  const clients = await Promise.all(Array.from({ length: senders }, () => Sender.open(port)));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const reply = await client.send(body(size, i));
        if (!reply.startsWith('250')) throw new Error(`message ${i}: ${reply}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const client of clients) client.close();
  latencies.sort((a, b) => a - b);
  return { rate: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
