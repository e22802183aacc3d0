/** Graceful shutdown: in process (DATA in flight finishes) and as the built process PM2 runs (ready, SIGTERM). */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir, unavailable, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMxServer } from '../src/mx.js';
import { type Harness, HOSTED, startHarness } from './harness.js';
import { Wire } from './wire.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

describe('graceful close', () => {
  test('stops accepting, lets DATA in flight finish with 250, then ends idle sessions with 421', async () => {
    const mx = createMxServer(h.deps());
    const port = await mx.listen(0, '127.0.0.1');
    const before = (await h.mailbox(h.aliases.alice)).length;
    const idle = await Wire.open(port);
    await idle.reply();
    const busy = await Wire.open(port);
    await busy.reply();
    await busy.command('EHLO client.test');
    await busy.command('MAIL FROM:<sam@sender.test>');
    await busy.command(`RCPT TO:<alice@${HOSTED}>`);
    expect((await busy.command('DATA')).code).toBe(354);
    busy.write('From: sam@sender.test\r\nSubject: in flight\r\n\r\nfirst half, ');
    await waitFor(() => mx.state.inflight.count === 1);
    const closing = mx.close(5000);
    await expect(Wire.open(port)).rejects.toThrow(/ECONNREFUSED/);
    expect((await busy.command('second half\r\n.')).lines[0]).toMatch(/^250 2\.6\.0 /);
    await closing;
    expect(await idle.closedByServer()).toBe(true);
    expect(await busy.closedByServer()).toBe(true);
    expect((await h.mailbox(h.aliases.alice)).length).toBe(before + 1);
  });
});

describe('node dist/main.js', () => {
  const main = join(repoRoot(), 'apps', 'smtp', 'dist', 'main.js');

  async function runUntilReady(role: string, dataDir: string): Promise<ChildProcess> {
    const child = fork(main, [role], {
      env: {
        ...process.env,
        MAILYARD_DATA_DIR: dataDir,
        MAILYARD_SMTP_MX_PORT: '0',
        MAILYARD_SMTP_SUBMISSION_PORT: '0',
        MAILYARD_SMTP_SUBMISSION_TLS_PORT: '0',
        MAILYARD_LOG_LEVEL: 'warn',
        MAILYARD_BIND: '127.0.0.1',
        MAILYARD_HOSTNAME: 'mx.hosted.test',
      },
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      child.once('exit', (code) => reject(new Error(`exited with ${code} before ready: ${stderr}`)));
    });
    return child;
  }

  test.each(['mx', 'outbound'])('%s: signals ready, exits 0 on SIGTERM', async (role) => {
    if (!existsSync(main)) {
      unavailable(`${main} is not built (run the build first)`);
      return;
    }
    await using dir = await tempDir('mailyard-smtp-main-');
    const child = await runUntilReady(role, dir.path);
    // Time on purpose: the process must still be running a moment after it said ready.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(child.exitCode).toBeNull();
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`${code} ${signal}`)));
    child.kill('SIGTERM');
    expect(await exited).toBe('0 null');
  });
});
