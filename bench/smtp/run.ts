/**
 * SMTP benchmark: messages/s accepted and durably stored (250 = fsynced into the sealed spool) by one MX process
 * (the built apps/smtp/dist/main.js), with 1 and 20 concurrent senders at 4 KB and 100 KB, p50/p99 time from
 * MAIL FROM to the 250 after DATA, the MX process's RSS; then outbound deliveries/s from the queue worker to a
 * local sink (the running worker: overlapping claims, pooled sessions). Build first (turbo run build --filter=@mailyard/smtp...), then from bench/: node --import tsx smtp/run.ts
 * (BENCH_SCALE scales the message counts).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { NO_MTA_STS } from '../../apps/smtp/src/outbound/mta-sts.js';
import { createOutboundWorker } from '../../apps/smtp/src/outbound/worker.js';
import { MailyardSmtpServer } from '../../apps/smtp/src/smtp-reply.js';
import { createSelfSignedPair, loadConfig } from '../../packages/config/src/index.js';
import { SqliteControlStore } from '../../packages/control/src/index.js';
import { createLogger } from '../../packages/logger/src/index.js';
import { Mailstore } from '../../packages/mailstore/src/index.js';
import { repoRoot, startDnsServer, tempDir } from '../../packages/testkit/src/index.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const PASSWORD = 'bench password';
const DOMAIN = 'bench.test';

function body(bytes: number, i: number): Buffer {
  const head = `From: s${i}@sender.test\r\nTo: inbox@${DOMAIN}\r\nSubject: bench ${i}\r\nMessage-ID: <${i}.${randomBytes(4).toString('hex')}@sender.test>\r\n\r\n`;
  const line = `${'x'.repeat(76)}\r\n`;
  return Buffer.from(head + line.repeat(Math.max(1, Math.ceil((bytes - head.length) / line.length))));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A minimal pipelining SMTP client (RFC 2920) on one connection. */
class Sender {
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

  static async open(port: number): Promise<Sender> {
    const socket = connect({ port, host: '127.0.0.1' });
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function inbound(port: number, pid: number, senders: number, size: number, total: number): Promise<number> {
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
  const mem = rssMb(pid);
  console.log(
    `mx  ${String(senders).padStart(2)} sender(s) ${String(size / 1024).padStart(3)} KB: ${(total / seconds).toFixed(0).padStart(5)} msg/s` +
      `  p50 ${percentile(latencies, 50).toFixed(1)} ms  p99 ${percentile(latencies, 99).toFixed(1)} ms` +
      `  RSS ${mem.rss.toFixed(0)} MB (peak ${mem.peak.toFixed(0)} MB)  [${total} msgs]`,
  );
  return total;
}

async function startMx(env: Record<string, string>): Promise<ChildProcess> {
  const main = join(repoRoot(), 'apps', 'smtp', 'dist', 'main.js');
  const child = fork(main, ['mx'], {
    env: { ...process.env, ...env },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`mx exited with ${code}`)));
  });
  return child;
}

async function outbound(deps: Parameters<typeof createOutboundWorker>[0], control: SqliteControlStore, count: number) {
  const received = { n: 0 };
  const sink = new MailyardSmtpServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received.n += 1;
        callback(null, 'Ok');
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const address = sink.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const message = body(4096, 0);
  for (let i = 0; i < count; i++) {
    await control.enqueue({ envelopeFrom: `s@${DOMAIN}`, recipients: [`r${i}@sink.test`], body: message });
  }
  const worker = createOutboundWorker({ ...deps, mtaSts: NO_MTA_STS, portOverride: port, retryDelayMs: () => 0 });
  const started = performance.now();
  worker.start();
  while (received.n < count && performance.now() - started < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await worker.stop();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `outbound 4 KB to a local sink, concurrency ${deps.config.smtp.outboundConcurrency}: ${(received.n / seconds).toFixed(0)} deliveries/s [${received.n}/${count}]`,
  );
  await new Promise<void>((resolve) => sink.close(() => resolve()));
}

/** Inbound MX figures (skipped with BENCH_ONLY=outbound). */
async function mxPhase(dataDir: string, masterKey: Buffer, dnsAddress: string, mailstore: Mailstore): Promise<void> {
  const port = await freePort();
  const mx = await startMx({
    MAILYARD_DATA_DIR: dataDir,
    MAILYARD_MASTER_KEY: masterKey.toString('hex'),
    MAILYARD_SMTP_MX_PORT: String(port),
    MAILYARD_DNS_RESOLVER: dnsAddress,
    MAILYARD_HOSTNAME: 'mx.bench.test',
    MAILYARD_LOG_LEVEL: 'warn',
    MAILYARD_SMTP_MESSAGES_PER_SENDER_PER_HOUR: '1000000',
    MAILYARD_SMTP_MAX_CONNECTIONS_PER_IP: '100',
  });
  const pid = mx.pid ?? 0;
  console.log(`mx pid ${pid}, idle RSS ${rssMb(pid).rss.toFixed(0)} MB`);
  let accepted = 0;
  accepted += await inbound(port, pid, 1, 4096, Math.round(300 * SCALE));
  accepted += await inbound(port, pid, 20, 4096, Math.round(2000 * SCALE));
  accepted += await inbound(port, pid, 1, 100 * 1024, Math.round(150 * SCALE));
  accepted += await inbound(port, pid, 20, 100 * 1024, Math.round(600 * SCALE));
  const exited = new Promise((resolve) => mx.once('exit', resolve));
  mx.kill('SIGTERM');
  await exited;

  const drainStart = performance.now();
  const session = await mailstore.open('benchbox', PASSWORD);
  const stored = session.status('INBOX').messages;
  session.close();
  console.log(
    `stored in the mailbox after drain: ${stored}/${accepted} (drain ${((performance.now() - drainStart) / 1000).toFixed(1)} s)`,
  );
}

async function main(): Promise<void> {
  await using dir = await tempDir('mailyard-bench-smtp-');
  const dns = await startDnsServer();
  dns.table.txt.set('sender.test', [['v=spf1 ip4:127.0.0.1 -all']]);
  dns.table.mx.set('sink.test', [{ preference: 10, exchange: 'mx.sink.test' }]);
  dns.table.a.set('mx.sink.test', ['127.0.0.1']);
  const masterKey = randomBytes(32);
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey });
  const mailstore = new Mailstore({ dataDir: dir.path });
  const account = await control.createAccount({ email: `owner@${DOMAIN}`, password: PASSWORD });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const domain = await control.createDomain({
    accountId: account.id,
    name: DOMAIN,
    verificationToken: 'x',
    dkim: {
      selector: 'b1',
      publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  });
  const alias = await control.createAlias(domain.id, { name: 'inbox' });
  await mailstore.createMailbox('benchbox', PASSWORD);
  await control.setMailboxCredential(alias.id, 'benchbox', PASSWORD);

  if (process.env.BENCH_ONLY !== 'outbound') await mxPhase(dir.path, masterKey, dns.address, mailstore);
  // The opened mailbox goes on indexing its 3000 new messages in this process; the outbound process opens no
  // mailbox, so close it rather than let it share the event loop with the worker being measured.
  await mailstore.close();
  const outboundStore = new Mailstore({ dataDir: dir.path });

  const config = loadConfig({
    env: {},
    overrides: { dataDir: dir.path, hostname: 'mx.bench.test', dns: { resolver: dns.address } },
  });
  const logger = createLogger({ level: 'warn' });
  const tls = createSelfSignedPair('mx.bench.test');
  const deps = { config, logger, control, mailstore: outboundStore, masterKey, tls };
  await outbound(deps, control, Math.round(1000 * SCALE));

  await outboundStore.close();
  await control.close();
  await dns.close();
}

await main();
