/**
 * Hermetic listeners: a test run must not collide with another test run or with a Mailyard running on the same
 * machine (a run failed with EADDRINUSE 127.0.0.1:9101). The vitest setup sets every MAILYARD_*_PORT to 0, so a
 * process a test starts with the inherited environment binds free ports and reports them in its log.
 *
 * Proof: the configured default ports are held by "another Mailyard" (listeners of this test, where the port is
 * free at all), and two booted processes (@mailyard/runtime's test child, monitoring on metrics.imapPort) start
 * at the same time with the test environment: both come up, on two different metrics ports, both serving.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { listSettings } from '@mailyard/config';
import {
  closeServer,
  noteChildLogLine,
  portZeroEnvironment,
  repoRoot,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';

const root = repoRoot();
const runtimeDir = join(root, 'packages', 'runtime');
const childScript = join(runtimeDir, 'test', 'fixtures', 'booted-child.ts');
const READY_MS = 30_000;

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

const held: Server[] = [];
const children: ChildProcess[] = [];
const dirs: TempDir[] = [];

/** Holds `port` on 127.0.0.1 like another Mailyard would; false when something already holds it (even better). */
async function hold(port: number): Promise<boolean> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (bound) held.push(server);
  return bound;
}

function defaultPorts(): number[] {
  return listSettings()
    .filter((setting) => setting.envVar.endsWith('_PORT') && setting.defaultKind === 'value')
    .map((setting) => Number(setting.defaultText.replaceAll('`', '')))
    .filter((port) => Number.isInteger(port) && port > 0);
}

/** Starts one booted process with the test environment; resolves with its log lines once it is ready. */
async function startInstance(): Promise<LogLine[]> {
  const dir = await tempDir('mailyard-hermetic-');
  dirs.push(dir);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', childScript], {
    cwd: runtimeDir,
    env: {
      ...process.env,
      MAILYARD_DATA_DIR: dir.path,
      MAILYARD_HOSTNAME: 'mx.hermetic.test',
      MAILYARD_LOG_PRETTY: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  const lines: LogLine[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    noteChildLogLine(text);
    if (text.startsWith('{')) lines.push(JSON.parse(text) as LogLine);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in ${READY_MS} ms: ${stderr}`)), READY_MS);
    child.on('message', (message) => {
      if (message !== 'ready') return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready: ${stderr} ${JSON.stringify(lines)}`));
    });
  });
  return lines;
}

async function metricsPortOf(lines: LogLine[]): Promise<number> {
  const line = await waitFor(() =>
    lines.find((l) => l.msg === 'metrics listening' && typeof l.port === 'number'),
  ).catch((err: unknown) => {
    throw new Error(`no "metrics listening" line: ${JSON.stringify(lines)}`, { cause: err });
  });
  return line.port as number;
}

beforeAll(async () => {
  for (const port of defaultPorts()) await hold(port);
});

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await Promise.all(held.map((server) => closeServer(server)));
  for (const dir of dirs) await dir.cleanup();
});

test('the test environment sets every port setting to 0, metrics ports included', () => {
  const zero = portZeroEnvironment();
  const portVariables = listSettings()
    .map((setting) => setting.envVar)
    .filter((name) => name.endsWith('_PORT'));
  expect(portVariables).toContain('MAILYARD_METRICS_MX_PORT');
  expect(defaultPorts()).toEqual(expect.arrayContaining([9101, 9103, 2525, 2143]));
  for (const name of portVariables) {
    expect(zero[name], name).toBe('0');
    expect(process.env[name], name).toBe('0');
  }
});

test('two instances start at once beside another Mailyard holding the default ports, on distinct free ports', async () => {
  const [first, second] = await Promise.all([startInstance(), startInstance()]);
  const ports = [await metricsPortOf(first), await metricsPortOf(second)];
  expect(ports[0]).not.toBe(ports[1]);
  for (const port of ports) {
    expect(defaultPorts()).not.toContain(port);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('mailyard_health');
  }
});
