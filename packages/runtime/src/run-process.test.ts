// runProcess in a real child process: configuration from MAILYARD_* variables, the data dir created, the stores
// opened, /metrics served on the process's metrics port, PM2 `ready`, and on SIGTERM the app's stop before the
// stores close and a clean exit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const childScript = fileURLToPath(new URL('../test/fixtures/booted-child.ts', import.meta.url));

type LogLine = { msg: string; [key: string]: unknown };

async function seen(lines: LogLine[], msg: string): Promise<LogLine> {
  return waitFor(() => lines.find((l) => l.msg === msg)).catch((err: unknown) => {
    throw new Error(`never logged "${msg}": ${JSON.stringify(lines)}`, { cause: err });
  });
}

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('runProcess boots from configuration, serves metrics, and stops the app before exiting 0 on SIGTERM', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mailyard-runtime-'));
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('MAILYARD_'));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', childScript], {
    cwd: packageDir,
    env: {
      ...Object.fromEntries(inherited),
      MAILYARD_DATA_DIR: dataDir,
      MAILYARD_HOSTNAME: 'mx.runtime.test',
      MAILYARD_LOG_PRETTY: 'false',
      MAILYARD_METRICS_IMAP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    const lines: LogLine[] = [];
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) =>
      lines.push(JSON.parse(text)),
    );
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message) => message === 'ready' && resolve());
      child.once('exit', () => reject(new Error(`child exited before ready: ${JSON.stringify(lines)}`)));
    });

    // stdout and the IPC channel are separate pipes: the log line may arrive after `ready`.
    const started = await seen(lines, 'app started');
    expect(started).toMatchObject({ name: 'imap', dataDir, mailstore: true });
    expect(existsSync(path.join(dataDir, 'control.db'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'keys', 'master.key'))).toBe(true);
    const metrics = await fetch(`http://127.0.0.1:${started.metricsPort}/metrics`);
    expect(metrics.status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const shutdown = lines.map((line) => line.msg).filter((msg) => /stop|shutting/.test(msg));
    expect(shutdown).toEqual(['imap shutting down', 'app stopped']);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
