/**
 * The real scanner daemons for the tests, each in a temp directory with a private configuration:
 *
 * - rspamd (Debian `rspamd`): Debian's /etc/rspamd configuration with LOCAL_CONFDIR, DBDIR, RUNDIR and LOGDIR
 *   pointed into the temp dir. Only the normal worker runs, on 127.0.0.1 at a port found by binding port 0 first
 *   (rspamd cannot bind port 0 and report it). Modules that need Redis switch themselves off; the ones that
 *   reach the network (DNS blocklists, SPF, DKIM, DMARC, fuzzy, map updates...) are disabled, and DNS goes to
 *   a closed local port so any query left fails at once. A small TLD list replaces the public suffix list
 *   (compiling that one takes rspamd half a minute). GTUBE is on (`enable_test_patterns`), and a Subject holding
 *   `defer-me` makes rspamd answer "soft reject" (a regexp symbol and a force_actions rule).
 * - clamd (Debian `clamav-daemon`): in the foreground on a unix socket and 127.0.0.1 TCP, with a signature
 *   database the test writes: one body signature (.ndb) for the EICAR test string. No freshclam, no network.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { findExecutable, requireTool, type TempDir, tempDir, waitFor } from '@mailyard/testkit';

/** The EICAR anti-virus test string, in two halves so this file itself is not reported by a scanner. */
export const EICAR = `X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-${'ANTIVIRUS-TEST-FILE!$H+H*'}`;
/** The name our test database gives the EICAR signature (clamd adds `.UNOFFICIAL` to non-official ones). */
export const EICAR_SIGNATURE = 'Mailyard.Test.EICAR';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port bound');
  return address.port;
}

function executable(name: string): string | undefined {
  return findExecutable(name) ?? findExecutable(`/usr/sbin/${name}`) ?? findExecutable(`/usr/bin/${name}`);
}

/** Whether `name` is installed (also looked for in /usr/sbin, which a non-root PATH may lack); skip-or-fail rule. */
export function daemonAvailable(name: 'rspamd' | 'clamd'): boolean {
  return executable(name) !== undefined || requireTool(name);
}

export interface Daemon extends AsyncDisposable {
  readonly running: boolean;
  /** What it printed (for failure messages). */
  output(): string;
  /** SIGSTOP: the connections stay open and nothing answers, as a hung daemon. */
  pause(): void;
  resume(): void;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** Kill and remove the directory. */
  stop(): Promise<void>;
}

interface Started {
  child: ChildProcess;
  output: () => string;
}

function spawnLogged(file: string, args: string[]): Started {
  let output = '';
  // Its own process group, so that pause() and kill() reach rspamd's workers too, not only its main process.
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A test process that dies without its afterAll must not leave a daemon behind.
  const orphanGuard = () => signalGroup(child, 'SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  return { child, output: () => output };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function daemon(started: Started, dir: TempDir): Daemon {
  const { child } = started;
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child, 'SIGCONT');
    signalGroup(child, 'SIGKILL');
    await exited;
  };
  const stop = async () => {
    await kill();
    await dir.cleanup();
  };
  return {
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    output: started.output,
    pause: () => signalGroup(child, 'SIGSTOP'),
    resume: () => signalGroup(child, 'SIGCONT'),
    kill,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function startedOrThrow(name: string, d: Daemon, ready: () => Promise<boolean>, ms: number): Promise<void> {
  try {
    await waitFor(async () => !d.running || (await ready()), ms);
  } catch (err) {
    await d.stop();
    throw new Error(`${name} did not start within ${ms} ms: ${d.output()}`, { cause: err });
  }
  if (!d.running) {
    await d.stop();
    throw new Error(`${name} exited at start: ${d.output()}`);
  }
}

export interface Rspamd extends Daemon {
  /** Base URL of the normal worker, http://127.0.0.1:<port>. */
  readonly url: string;
}

const RSPAMD_OFF = ['rbl', 'surbl', 'spf', 'dkim', 'dmarc', 'arc', 'asn', 'fuzzy_check', 'phishing', 'hfilter'];
const RSPAMD_OFF_TOO = ['rspamd_update', 'whitelist', 'multimap', 'emails', 'mx_check', 'mime_types', 'mid'];

async function writeRspamdConfig(dir: string, port: number): Promise<string> {
  const conf = join(dir, 'conf');
  await mkdir(join(conf, 'local.d'), { recursive: true });
  await mkdir(join(conf, 'override.d'), { recursive: true });
  for (const sub of ['db', 'run', 'log']) await mkdir(join(dir, sub));
  const files: Record<string, string> = {
    'override.d/worker-normal.inc': `bind_socket = "127.0.0.1:${port}";\ncount = 1;\n`,
    'override.d/worker-controller.inc': 'enabled = false;\n',
    'override.d/worker-proxy.inc': 'enabled = false;\n',
    'override.d/logging.inc': 'type = "console";\nlevel = "notice";\n',
    'local.d/options.inc': [
      'dns { nameserver = ["127.0.0.1:9"]; timeout = 1s; retransmits = 1; }',
      'enable_test_patterns = true;',
      `url_tld = "${join(conf, 'tld.dat')}";`,
      '',
    ].join('\n'),
    'local.d/regexp.conf':
      'MAILYARD_TEST_DEFER { re = "Subject=/defer-me/H"; score = 0.0; description = "test: soft reject"; }\n',
    'local.d/force_actions.conf':
      'rules { MAILYARD_TEST_DEFER { action = "soft reject"; expression = "MAILYARD_TEST_DEFER"; ' +
      'message = "Test deferral"; } }\n',
    'tld.dat': 'com\nnet\norg\ntest\nexample\n',
  };
  for (const module of [...RSPAMD_OFF, ...RSPAMD_OFF_TOO]) files[`local.d/${module}.conf`] = 'enabled = false;\n';
  for (const [name, text] of Object.entries(files)) await writeFile(join(conf, name), text);
  return conf;
}

async function answersPing(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return res.ok && (await res.text()).includes('pong');
  } catch {
    return false;
  }
}

export async function startRspamd(): Promise<Rspamd> {
  const file = executable('rspamd');
  if (!file) throw new Error('rspamd not found');
  const dir = await tempDir('mailyard-rspamd-');
  const port = await freePort();
  const conf = await writeRspamdConfig(dir.path, port);
  const vars = { LOCAL_CONFDIR: conf, DBDIR: join(dir.path, 'db'), RUNDIR: join(dir.path, 'run') };
  const args = ['-f', '-c', '/etc/rspamd/rspamd.conf', `--var=LOGDIR=${join(dir.path, 'log')}`];
  for (const [name, value] of Object.entries(vars)) args.push(`--var=${name}=${value}`);
  // rspamd refuses to run its workers as root unless told to (-i); CI runs as root.
  if (process.getuid?.() === 0) args.push('-i');
  const d = daemon(spawnLogged(file, args), dir);
  const url = `http://127.0.0.1:${port}`;
  await startedOrThrow('rspamd', d, () => answersPing(url), 90_000);
  return Object.assign(d, { url });
}

export interface Clamd extends Daemon {
  readonly socket: string;
  readonly host: string;
  readonly port: number;
}

export interface ClamdOptions {
  /** clamd's StreamMaxLength (default here 1 MiB, so the size-limit test stays small). */
  streamMaxBytes?: number;
}

/** clamd's `zPING` answered with PONG on its unix socket. */
function answersClamdPing(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = connect(socket);
    let reply = '';
    const done = (ok: boolean) => {
      conn.destroy();
      resolve(ok);
    };
    conn.setTimeout(1000, () => done(false));
    conn.on('error', () => done(false));
    conn.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\0')) done(reply.startsWith('PONG'));
    });
    conn.on('close', () => done(false));
    conn.on('connect', () => conn.write('zPING\0'));
  });
}

export async function startClamd(options: ClamdOptions = {}): Promise<Clamd> {
  const file = executable('clamd');
  if (!file) throw new Error('clamd not found');
  const dir = await tempDir('mailyard-clamd-');
  const port = await freePort();
  const db = join(dir.path, 'db');
  await mkdir(db);
  const hex = Buffer.from(EICAR, 'latin1').toString('hex');
  await writeFile(join(db, 'mailyard-test.ndb'), `${EICAR_SIGNATURE}:0:*:${hex}\n`);
  const socket = join(dir.path, 'clamd.sock');
  const conf = join(dir.path, 'clamd.conf');
  const lines = [
    'Foreground yes',
    `LocalSocket ${socket}`,
    'TCPAddr 127.0.0.1',
    `TCPSocket ${port}`,
    `DatabaseDirectory ${db}`,
    `TemporaryDirectory ${dir.path}`,
    `PidFile ${join(dir.path, 'clamd.pid')}`,
    `StreamMaxLength ${options.streamMaxBytes ?? 1024 * 1024}`,
    'LogTime yes',
    '',
  ];
  await writeFile(conf, lines.join('\n'));
  const d = daemon(spawnLogged(file, ['-c', conf]), dir);
  await startedOrThrow('clamd', d, () => answersClamdPing(socket), 60_000);
  return Object.assign(d, { socket, host: '127.0.0.1', port });
}
