/**
 * Two instances of one app under the real ecosystem: `pm2-runtime start ecosystem.config.cjs --only imap` with
 * MAILYARD_IMAP_INSTANCES=2, in a temp data dir with the ports on free ports of 127.0.0.1. PM2 runs them in
 * cluster mode: both come online, both take connections on the one IMAP port (each instance's /metrics, the
 * second on metrics.imapPort + 100, counts the CAPABILITY commands it served), the POP3 maildrop lock holds across
 * the two instances without Redis (each serves POP3 on the one shared port; a second login to a held maildrop gets
 * -ERR [IN-USE] whichever instance takes it), and SIGINT to pm2-runtime (Ctrl-C) stops both, leaving no process
 * behind within the shutdown limit, judged from /proc.
 *
 * Needs a prior build (apps/imap/dist/main.js, packages/config/dist: the ecosystem file reads the instance count
 * through it) and /proc: skipped with a printed reason when missing locally, failing when CI=true.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, type TempDir, tempDir, unavailable, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ourProcesses, type Pm2Runtime, pm2Environment, startPm2Runtime, waitOnline } from './support/pm2-runtime.js';

const root = repoRoot();
const SHUTDOWN_LIMIT_MS = 30_000;
const CONNECTIONS = 40;
const POP3_SECOND_LOGINS = 8;
const MAILBOX = { address: 'alice@example.org', password: 'instances test password 4711' };
const run = promisify(execFile);
/** Instance k > 0 serves /metrics this many ports above metrics.imapPort, times k (@mailyard/runtime). */
const METRICS_STEP = 100;

function prerequisitesMet(): boolean {
  const needed = [
    join('apps', 'imap', 'dist', 'main.js'),
    join('apps', 'cli', 'dist', 'cli.js'),
    join('packages', 'config', 'dist', 'index.js'),
  ];
  const missing = needed.filter((path) => !existsSync(join(root, path)));
  if (missing.length > 0) return unavailable(`not built (${missing.join(', ')}); run pnpm run build first`);
  if (!existsSync('/proc/self/environ')) return unavailable('the process checks need Linux /proc');
  return true;
}

const ready = prerequisitesMet();

/** Free ports of 127.0.0.1, held until all are picked; `withStep` also needs port + METRICS_STEP free. */
async function freePorts(count: number, withStep: boolean): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  const listen = async (port: number): Promise<number | null> => {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) return null;
    servers.push(server);
    const address = server.address();
    return typeof address === 'object' && address ? address.port : null;
  };
  while (ports.length < count) {
    const port = await listen(0);
    if (port === null) continue;
    if (withStep && (await listen(port + METRICS_STEP)) === null) continue;
    ports.push(port);
  }
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Greeting, CAPABILITY, LOGOUT on a new connection; resolves with the CAPABILITY reply. */
function capability(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let asked = false;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (!asked && /^\* OK/m.test(text)) {
        asked = true;
        socket.write('C CAPABILITY\r\nQ LOGOUT\r\n');
      }
      if (/^Q OK/m.test(text)) {
        socket.end();
        resolve(text);
      }
    });
    socket.once('error', reject);
    socket.setTimeout(20_000, () => {
      socket.destroy();
      reject(new Error(`no reply within 20 s: ${text}`));
    });
  });
}

/** Commands named `command` an instance counted, from its /metrics. */
async function commandsServed(metricsPort: number, command: string, protocol = 'imap'): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('mailyard_commands_total{') &&
        line.includes(`command="${command}"`) &&
        line.includes(`protocol="${protocol}"`),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const capabilitiesServed = (metricsPort: number) => commandsServed(metricsPort, 'CAPABILITY');

/** A plain POP3 session: USER and PASS; resolves with the PASS reply and the open socket (or null when refused). */
function pop3Login(
  port: number,
  user: string,
  password: string,
): Promise<{ reply: string; quit: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let step = 0;
    let onQuit: ((reply: string) => void) | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const lines = text.split('\r\n');
      const replies = lines.slice(0, -1).filter((line) => /^[+-]/.test(line));
      if (step === 0 && replies.length >= 1) {
        step = 1;
        socket.write(`USER ${user}\r\n`);
      } else if (step === 1 && replies.length >= 2) {
        step = 2;
        socket.write(`PASS ${password}\r\n`);
      } else if (step === 2 && replies.length >= 3) {
        step = 3;
        const reply = replies[2] ?? '';
        resolve({
          reply,
          quit: () =>
            new Promise((done) => {
              onQuit = done;
              socket.write('QUIT\r\n');
            }),
        });
      } else if (step === 3 && replies.length >= 4) {
        step = 4;
        socket.end();
        onQuit?.(replies[3] ?? '');
      }
    });
    socket.once('error', reject);
    socket.setTimeout(20_000, () => {
      socket.destroy();
      reject(new Error(`no POP3 reply within 20 s: ${text}`));
    });
  });
}

describe.skipIf(!ready)('two imap instances under pm2-runtime (PM2 cluster mode)', () => {
  let dir: TempDir;
  let runtime: Pm2Runtime;
  let imapPort: number;
  let pop3Port: number;
  let metricsPort: number;

  beforeAll(async () => {
    dir = await tempDir('mailyard-pm2-instances-');
    const [imap = 0, imapTls = 0, sieve = 0, pop3 = 0, pop3Tls = 0] = await freePorts(5, false);
    const [metrics = 0] = await freePorts(1, true);
    imapPort = imap;
    pop3Port = pop3;
    metricsPort = metrics;
    const env = pm2Environment(dir.path, {
      MAILYARD_DATA_DIR: join(dir.path, 'data'),
      MAILYARD_HOSTNAME: 'imap.mailyard.test',
      MAILYARD_LOG_PRETTY: 'false',
      MAILYARD_IMAP_INSTANCES: '2',
      MAILYARD_IMAP_PORT: String(imap),
      MAILYARD_IMAP_TLS_PORT: String(imapTls),
      MAILYARD_MANAGESIEVE_PORT: String(sieve),
      MAILYARD_POP3_PORT: String(pop3),
      MAILYARD_POP3_TLS_PORT: String(pop3Tls),
      MAILYARD_METRICS_IMAP_PORT: String(metrics),
      // Plain USER/PASS on 127.0.0.1 for the POP3 test, without a TLS client.
      MAILYARD_ALLOW_INSECURE_AUTH: 'true',
    });
    const cli = (...args: string[]) =>
      run(process.execPath, [join(root, 'apps', 'cli', 'dist', 'cli.js'), ...args], { cwd: root, env });
    await cli('create-account', 'admin@example.org');
    await cli('add-domain', 'example.org', '--account', 'admin@example.org', '--verified');
    await cli('add-mailbox', MAILBOX.address, '--password', MAILBOX.password);
    runtime = startPm2Runtime({ args: ['--only', 'imap'], env, marker: dir.path, outputLimit: 200_000 });
    await waitOnline(runtime, () => runtime.online('imap') >= 2, 60_000, 'two imap instances did not come online');
  });

  afterAll(async () => {
    if (dir) runtime?.killAll();
    await dir?.cleanup();
  });

  test('both instances take connections on the one IMAP port', async () => {
    for (let i = 0; i < CONNECTIONS; i++) expect(await capability(imapPort)).toMatch(/^\* CAPABILITY IMAP4rev1/m);
    const served = await waitFor(async () => {
      const first = await capabilitiesServed(metricsPort);
      const second = await capabilitiesServed(metricsPort + METRICS_STEP);
      return first + second === CONNECTIONS ? [first, second] : null;
    }, 10_000);
    console.log(
      `pm2 cluster mode, 2 imap instances: CAPABILITY served ${served.join(' + ')} of ${CONNECTIONS} connections`,
    );
    expect(served[0]).toBeGreaterThan(0);
    expect(served[1]).toBeGreaterThan(0);
  });

  test('the POP3 maildrop lock holds across both instances without Redis', async () => {
    const holder = await pop3Login(pop3Port, MAILBOX.address, MAILBOX.password);
    expect(holder.reply).toMatch(/^\+OK/);
    const before = await Promise.all([0, 1].map((k) => commandsServed(metricsPort + k * METRICS_STEP, 'PASS', 'pop3')));
    for (let i = 0; i < POP3_SECOND_LOGINS; i++) {
      const second = await pop3Login(pop3Port, MAILBOX.address, MAILBOX.password);
      expect(second.reply).toMatch(/^-ERR \[IN-USE\]/);
      await second.quit();
    }
    // Both instances refused some of them: the lock is not the holder instance's memory.
    const refused = await waitFor(async () => {
      const after = await Promise.all(
        [0, 1].map((k) => commandsServed(metricsPort + k * METRICS_STEP, 'PASS', 'pop3')),
      );
      const counts = after.map((count, k) => count - (before[k] ?? 0));
      return (counts[0] ?? 0) + (counts[1] ?? 0) === POP3_SECOND_LOGINS ? counts : null;
    }, 10_000);
    console.log(`maildrop held on one instance: second logins refused ${refused.join(' + ')} by the two instances`);
    expect(refused[0]).toBeGreaterThan(0);
    expect(refused[1]).toBeGreaterThan(0);
    expect(await holder.quit()).toMatch(/^\+OK/);
    const next = await pop3Login(pop3Port, MAILBOX.address, MAILBOX.password);
    expect(next.reply).toMatch(/^\+OK/);
    await next.quit();
  });

  test('SIGINT to pm2-runtime stops both instances cleanly, nothing left behind', async () => {
    const group = runtime.group;
    expect(ourProcesses(group, dir.path).length).toBeGreaterThanOrEqual(3);
    const started = performance.now();
    process.kill(-group, 'SIGINT');
    await Promise.race([
      runtime.exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error('pm2-runtime still running')), SHUTDOWN_LIMIT_MS)),
    ]);
    await waitFor(() => ourProcesses(group, dir.path).length === 0, 5_000, 100);
    const tookMs = performance.now() - started;
    console.log(`pm2-runtime and 2 imap instances stopped ${tookMs.toFixed(0)} ms after SIGINT`);
    expect(tookMs).toBeLessThan(SHUTDOWN_LIMIT_MS);
    expect(runtime.output()).not.toMatch(/SIGKILL|errored/);
  });
});
