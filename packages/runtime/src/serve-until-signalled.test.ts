// serveUntilSignalled seen from outside, as PM2 sees it: a real child process with an IPC channel sends `ready`,
// receives signals, and its exit code and log lines are read back.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@mailyard/testkit';
import { afterEach, describe, expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const childScript = fileURLToPath(new URL('../test/fixtures/serving-child.ts', import.meta.url));

interface Served {
  child: ChildProcess;
  messages: string[];
  /** Resolves once the child said `ready` over IPC. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function serve(behaviour: string, shutdownTimeoutMs: number): Served {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, behaviour, String(shutdownTimeoutMs)], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  started.push(child);
  const messages: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    messages.push((JSON.parse(text) as { message: string }).message);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message) => message === 'ready' && resolve());
    child.once('exit', () => reject(new Error('child exited before it was ready')));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': stdout is read to the end, so every log line is in `messages`.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, messages, ready, exited };
}

describe('serveUntilSignalled', () => {
  test('ready comes after the handlers: a SIGTERM sent the moment ready arrives runs stop and exits 0', async () => {
    const served = serve('clean', 5_000);
    await served.ready;
    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 0, signal: null });
    expect(served.messages).toEqual(['child shutting down', 'stop started', 'stop finished']);
  });

  test('SIGINT shuts down the same way', async () => {
    const served = serve('clean', 5_000);
    await served.ready;
    served.child.kill('SIGINT');
    expect(await served.exited).toEqual({ code: 0, signal: null });
    expect(served.messages).toContain('stop finished');
  });

  test('a second signal during shutdown is logged and ignored; stop still finishes and the exit is clean', async () => {
    const served = serve('slow', 5_000);
    await served.ready;
    served.child.kill('SIGTERM');
    await waitFor(() => served.messages.includes('stop started'));
    served.child.kill('SIGINT');
    expect(await served.exited).toEqual({ code: 0, signal: null });
    expect(served.messages).toEqual([
      'child shutting down',
      'stop started',
      'child already shutting down; signal ignored',
      'stop finished',
    ]);
  });

  test('a stop that hangs exits 1 once the deadline passes', async () => {
    const served = serve('hang', 300);
    await served.ready;
    const signalledAt = Date.now();
    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(300);
    expect(served.messages).toEqual(['child shutting down', 'stop started', 'child did not stop in time; exiting']);
  });

  test('a stop that fails exits 1 with the failure logged', async () => {
    const served = serve('fail', 5_000);
    await served.ready;
    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 1, signal: null });
    expect(served.messages).toEqual(['child shutting down', 'stop started', 'child shutdown failed']);
  });
});
