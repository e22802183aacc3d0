/**
 * The README's start path, for real: the built apps under `pm2-runtime start ecosystem.config.cjs`, as
 * `npm start` runs them, in a temp data dir with every MAILYARD_*_PORT on a free port of 127.0.0.1.
 *
 * 1. All 6 processes report ready (PM2 prints `App [name:n] online` only after the process sent 'ready') and
 *    every listener answers (ManageSieve's from the imap process), including /metrics and /health of each monitored process.
 * 2. The CLI creates an account, a domain and a mailbox; swaks sends to the MX; curl reads the message back over
 *    IMAP (STARTTLS) with its subject and body.
 * 3. SIGTERM to mx in the middle of a DATA transfer loses nothing acknowledged: a 250 means the whole message is
 *    in the mailbox, a 4xx or a closed connection means nothing of it is.
 * 4. SIGINT to the process group (Ctrl-C) leaves no process behind within 30 s, judged from /proc.
 *
 * Needs a prior build (apps/<app>/dist/main.js), swaks, curl and /proc: skipped with a printed reason when missing
 * locally, failing when CI=true. DNS lookups (SPF, DMARC) go to a responder on 127.0.0.1 that knows no names.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listSettings } from '@mailyard/config';
import {
  type DnsServer,
  repoRoot,
  requireTool,
  startDnsServer,
  type TempDir,
  tempDir,
  unavailable,
  waitFor,
} from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ourProcesses, type Pm2Runtime, pm2Environment, startPm2Runtime, waitOnline } from './support/pm2-runtime.js';

const root = repoRoot();
const run = promisify(execFile);
/**
 * App folders with a process entry (dist/main.js). pop3, managesieve, api and jobs have none: the imap process
 * serves POP3 and ManageSieve, the outbound process submission and the scheduler, the api process (web's entry
 * point) the REST API and the dashboard.
 */
const APPS = ['smtp', 'imap', 'web'];
const PROCESSES = ['mx', 'outbound', 'imap', 'api'];
/** Processes serving /metrics on metrics.<name>Port; the api process serves it on api.port and web.port. */
const METRICS_PROCESSES = ['mx', 'outbound', 'imap'];
const MAILBOX = { address: 'alice@example.org', password: 'start test password 4711' };
const SHUTDOWN_LIMIT_MS = 30_000;

function prerequisitesMet(): boolean {
  const unbuilt = APPS.filter((app) => !existsSync(join(root, 'apps', app, 'dist', 'main.js')));
  if (unbuilt.length > 0) return unavailable(`apps not built (${unbuilt.join(', ')}); run pnpm run build first`);
  if (!existsSync('/proc/self/environ')) return unavailable('the process checks need Linux /proc');
  return [requireTool('swaks'), requireTool('curl')].every(Boolean);
}

const ready = prerequisitesMet();

/** One free port of 127.0.0.1 per MAILYARD_*_PORT variable the configuration knows, all held until all are picked. */
async function freePorts(): Promise<Record<string, number>> {
  const names = listSettings()
    .map((setting) => setting.envVar)
    .filter((name) => name.endsWith('_PORT'));
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  for (const name of names) {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    ports[name] = typeof address === 'object' && address ? address.port : 0;
  }
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function port(ports: Record<string, number>, name: string): number {
  const value = ports[`MAILYARD_${name}_PORT`];
  if (!value) throw new Error(`no port picked for MAILYARD_${name}_PORT`);
  return value;
}

function canConnect(to: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(to, '127.0.0.1');
    const settle = (connected: boolean) => {
      socket.destroy();
      resolve(connected);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
}

interface SmtpReply {
  code: number;
  text: string;
}

/** A raw SMTP client conversation: one command line at a time, multi-line replies joined (RFC 5321 §4.2.1). */
class SmtpConversation {
  #buffer = '';
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  static open(to: number): Promise<SmtpConversation> {
    return new Promise((resolve, reject) => {
      const socket = connect(to, '127.0.0.1', () => resolve(new SmtpConversation(socket)));
      socket.once('error', reject);
    });
  }

  /** The next complete reply, or null when the server closed the connection first. */
  async reply(timeoutMs = 35_000): Promise<SmtpReply | null> {
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#takeReply();
      if (reply) return reply;
      if (this.#closed) return null;
      if (Date.now() > giveUpAt) throw new Error(`no SMTP reply within ${timeoutMs} ms: ${this.#buffer}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  }

  async command(line: string, expected: number): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    const reply = await this.reply();
    if (reply?.code !== expected) throw new Error(`${line} -> ${reply ? `${reply.code} ${reply.text}` : 'closed'}`);
    return reply;
  }

  write(data: string): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  #takeReply(): SmtpReply | null {
    const lines = this.#buffer.split('\r\n');
    const last = lines.findIndex((line) => /^\d{3}(?: |$)/.test(line));
    if (last === -1 || last === lines.length - 1) return null;
    this.#buffer = lines.slice(last + 1).join('\r\n');
    const text = lines.slice(0, last + 1).map((line) => line.slice(4));
    return { code: Number(lines[last]?.slice(0, 3)), text: text.join('\n') };
  }
}

describe.skipIf(!ready)('npm start: the whole server under pm2-runtime', () => {
  let dir: TempDir;
  let dns: DnsServer;
  let ports: Record<string, number>;
  let env: NodeJS.ProcessEnv;
  let runtime: Pm2Runtime;

  function imap(path: string, ...args: string[]): Promise<string> {
    const url = `imap://127.0.0.1:${port(ports, 'IMAP')}/${path}`;
    const auth = `${MAILBOX.address}:${MAILBOX.password}`;
    return run('curl', ['-sS', '-k', '--ssl-reqd', '--max-time', '20', '-u', auth, ...args, url]).then((r) => r.stdout);
  }

  async function search(criteria: string): Promise<number[]> {
    const listing = await imap(`INBOX?${encodeURIComponent(criteria)}`);
    const numbers = /^\* SEARCH((?: \d+)*)/m.exec(listing)?.[1] ?? '';
    return numbers.trim() === '' ? [] : numbers.trim().split(' ').map(Number);
  }

  function cli(...args: string[]): Promise<string> {
    return run(process.execPath, [join(root, 'apps', 'cli', 'dist', 'cli.js'), ...args], { cwd: root, env }).then(
      (r) => r.stdout,
    );
  }

  beforeAll(async () => {
    dir = await tempDir('mailyard-start-');
    dns = await startDnsServer();
    ports = await freePorts();
    env = pm2Environment(dir.path, {
      ...Object.fromEntries(Object.entries(ports).map(([name, value]) => [name, String(value)])),
      MAILYARD_DATA_DIR: join(dir.path, 'data'),
      MAILYARD_HOSTNAME: 'mx.mailyard.test',
      MAILYARD_DNS_RESOLVER: dns.address,
      MAILYARD_LOG_PRETTY: 'false',
    });
    runtime = startPm2Runtime({ env, marker: dir.path });
    const everyProcess = () => PROCESSES.every((name) => runtime.online(name) >= 1);
    await waitOnline(runtime, everyProcess, 45_000, 'not every process came online');
  });

  afterAll(async () => {
    if (dir) runtime?.killAll();
    await dns?.close();
    await dir?.cleanup();
  });

  test('every process is online and every listener answers, /metrics and /health included', async () => {
    const listeners = [
      ...['SMTP_MX', 'SMTP_SUBMISSION', 'SMTP_SUBMISSION_TLS', 'IMAP', 'IMAP_TLS', 'POP3', 'POP3_TLS'],
      'MANAGESIEVE',
    ];
    for (const name of listeners) expect(await canConnect(port(ports, name)), name).toBe(true);
    const http = [
      ...['API', 'WEB'].map((name) => port(ports, name)),
      ...METRICS_PROCESSES.map((name) => port(ports, `METRICS_${name.toUpperCase()}`)),
    ];
    for (const to of http) {
      const metrics = await fetch(`http://127.0.0.1:${to}/metrics`);
      expect(metrics.status, `/metrics on ${to}`).toBe(200);
      expect(await metrics.text()).toContain('mailyard_health');
      const health = await fetch(`http://127.0.0.1:${to}/health`);
      expect(health.status, `/health on ${to}`).toBe(200);
      expect(await health.json()).toHaveProperty('status');
    }
  });

  test('the CLI creates an account, a domain and a mailbox', async () => {
    expect(await cli('create-account', 'admin@example.org')).toMatch(/API token \(shown once\): \S+/);
    expect(await cli('add-domain', 'example.org', '--account', 'admin@example.org', '--verified')).toContain(
      'example.org',
    );
    const mailbox = await cli('add-mailbox', MAILBOX.address, '--password', MAILBOX.password);
    expect(mailbox).toContain(`login: ${MAILBOX.address}`);
  });

  test('a message sent with swaks to the MX is read back over IMAP with curl', async () => {
    const token = randomUUID();
    const sent = await run('swaks', [
      ...['--server', `127.0.0.1:${port(ports, 'SMTP_MX')}`, '--ehlo', 'client.sender.test'],
      ...['--from', 'bob@sender.test', '--to', MAILBOX.address],
      ...['--header', `Subject: Hello from swaks ${token}`, '--body', `Body text ${token}`],
    ]);
    expect(sent.stdout).toMatch(/<- {2}250 /);
    const message = await waitFor(() => imap('INBOX;UID=1').catch(() => ''), 10_000, 200);
    expect(message).toContain(`Subject: Hello from swaks ${token}`);
    expect(message).toContain(`Body text ${token}`);
  });

  test('SIGTERM to mx in the middle of DATA loses nothing it acknowledged', async () => {
    const mx = ourProcesses(runtime.group, dir.path).find((p) => p.name === 'mx');
    expect(mx, 'the mx process').toBeDefined();
    const token = randomUUID();
    const smtp = await SmtpConversation.open(port(ports, 'SMTP_MX'));
    expect((await smtp.reply())?.code).toBe(220);
    await smtp.command('EHLO client.sender.test', 250);
    await smtp.command('MAIL FROM:<bob@sender.test>', 250);
    await smtp.command(`RCPT TO:<${MAILBOX.address}>`, 250);
    await smtp.command('DATA', 354);
    const header = `From: bob@sender.test\r\nTo: ${MAILBOX.address}\r\nSubject: Interrupted ${token}\r\n\r\n`;
    await smtp.write(`${header}${'first half of the message, sent before the signal\r\n'.repeat(2000)}`);
    process.kill(mx?.pid ?? -1, 'SIGTERM');
    await waitFor(() => runtime.output().includes('"msg":"mx shutting down"'), 10_000, 50);
    await smtp.write(`${'second half, sent after the signal\r\n'.repeat(2000)}end of ${token}\r\n.\r\n`);
    const reply = await smtp.reply();
    console.log(
      `mx answered ${reply ? `${reply.code} ${reply.text}` : 'nothing (closed)'} to a DATA ended after SIGTERM`,
    );
    if (reply?.code === 250) {
      await smtp.write('QUIT\r\n');
      const [uid] = await waitFor(() => search(`SUBJECT ${token}`), 10_000, 200);
      const stored = await imap(`INBOX;UID=${uid}`);
      expect(stored).toContain(`end of ${token}`);
      expect(stored.split('first half of the message').length - 1).toBe(2000);
      expect(stored.split('second half, sent after the signal').length - 1).toBe(2000);
      expect(await search('ALL')).toHaveLength(2);
    } else {
      expect(reply === null || (reply.code >= 400 && reply.code < 500), `reply ${reply?.code}`).toBe(true);
      expect(await search(`SUBJECT ${token}`)).toEqual([]);
      expect(await search('ALL')).toHaveLength(1);
    }
    smtp.socket.destroy();
    // PM2 starts mx again; the shutdown below then has every process to stop.
    await waitFor(async () => runtime.online('mx') >= 2 && (await canConnect(port(ports, 'SMTP_MX'))), 20_000, 100);
  });

  test('a message sent through submission (served by outbound) is read back over POP3 (served by imap) with curl', async () => {
    const token = randomUUID();
    const sent = await run('swaks', [
      ...['--server', `127.0.0.1:${port(ports, 'SMTP_SUBMISSION')}`, '--tls', '--ehlo', 'client.example.org'],
      ...['--auth', 'PLAIN', '--auth-user', MAILBOX.address, '--auth-password', MAILBOX.password],
      ...['--from', MAILBOX.address, '--to', MAILBOX.address],
      ...['--header', `Subject: Submitted ${token}`, '--body', `Submitted body ${token}`],
    ]);
    expect(sent.stdout).toMatch(/<~ {2}250 /);
    const auth = `${MAILBOX.address}:${MAILBOX.password}`;
    const pop3 = (path: string) =>
      run('curl', [
        '-sS',
        '-k',
        '--ssl-reqd',
        '--max-time',
        '20',
        '-u',
        auth,
        `pop3://127.0.0.1:${port(ports, 'POP3')}/${path}`,
      ]).then((r) => r.stdout);
    const found = await waitFor(
      async () => {
        const listing = (await pop3('')).trim().split(/\r?\n/);
        for (const line of listing) {
          const number = line.split(' ')[0];
          const message = number ? await pop3(number) : '';
          if (message.includes(`Subject: Submitted ${token}`)) return message;
        }
        return undefined;
      },
      10_000,
      200,
    );
    expect(found).toContain(`Submitted body ${token}`);
  });

  test('SIGINT to the process group stops every process within 30 s', async () => {
    const group = runtime.group;
    const before = ourProcesses(group, dir.path);
    expect(new Set(before.map((p) => p.name))).toEqual(new Set([...PROCESSES, undefined]));
    const started = performance.now();
    process.kill(-group, 'SIGINT');
    await waitFor(
      () => runtime.hasExited() && ourProcesses(group, dir.path).length === 0,
      SHUTDOWN_LIMIT_MS,
      100,
    ).catch(() => {
      const left = ourProcesses(group, dir.path).map((p) => `${p.pid} ${p.name ?? 'pm2-runtime'}`);
      throw new Error(`still running after ${SHUTDOWN_LIMIT_MS} ms: ${left.join(', ')}\n${runtime.tail()}`);
    });
    console.log(`all ${before.length} processes stopped ${Math.round(performance.now() - started)} ms after SIGINT`);
    const output = runtime.output();
    const exitCodes = [...output.matchAll(/exited with code \[(\d+)\]/g)].map((match) => match[1]);
    expect(exitCodes.length).toBeGreaterThanOrEqual(PROCESSES.length + 1);
    const exits = output
      .split('\n')
      .filter((line) => /exited with code|"level":(40|50|60)/.test(line))
      .join('\n');
    expect(
      exitCodes.filter((code) => code !== '0'),
      exits,
    ).toEqual([]);
    const codeBugs = output.split('\n').filter((line) => /^\{"level":(50|60),/.test(line));
    expect(codeBugs).toEqual([]);
  });
});
