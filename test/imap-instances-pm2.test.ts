/**
 * Two instances of one app under the real ecosystem: `pm2-runtime start ecosystem.config.cjs --only imap` with
 * MAILYARD_IMAP_INSTANCES=2, in a temp data dir with the ports on free ports of 127.0.0.1. PM2 runs them in
 * cluster mode: both come online, both take connections on the one IMAP port (each instance's /metrics, the
 * second on metrics.imapPort + 100, counts the CAPABILITY commands it served), and SIGINT to pm2-runtime (Ctrl-C)
 * stops both, leaving no process behind within the shutdown limit, judged from /proc.
 *
 * Needs a prior build (apps/imap/dist/main.js, packages/config/dist: the ecosystem file reads the instance count
 * through it) and /proc: skipped with a printed reason when missing locally, failing when CI=true.
 */
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { repoRoot, type TempDir, tempDir, unavailable, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ourProcesses, type Pm2Runtime, pm2Environment, startPm2Runtime, waitOnline } from './support/pm2-runtime.js';

const root = repoRoot();
const SHUTDOWN_LIMIT_MS = 30_000;
const CONNECTIONS = 40;
/** Instance k > 0 serves /metrics this many ports above metrics.imapPort, times k (@mailyard/runtime). */
const METRICS_STEP = 100;

function prerequisitesMet(): boolean {
  const needed = [join('apps', 'imap', 'dist', 'main.js'), join('packages', 'config', 'dist', 'index.js')];
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

/** CAPABILITY commands an instance counted, from its /metrics. */
async function capabilitiesServed(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('mailyard_commands_total{') && /command="CAPABILITY"/.test(line))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe.skipIf(!ready)('two imap instances under pm2-runtime (PM2 cluster mode)', () => {
  let dir: TempDir;
  let runtime: Pm2Runtime;
  let imapPort: number;
  let metricsPort: number;

  beforeAll(async () => {
    dir = await tempDir('mailyard-pm2-instances-');
    const [imap = 0, imapTls = 0, sieve = 0, pop3 = 0, pop3Tls = 0] = await freePorts(5, false);
    const [metrics = 0] = await freePorts(1, true);
    imapPort = imap;
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
    });
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
