// Profiling triggers seen from outside, as an operator uses them: a real child process receives SIGUSR2 or finds
// a request file, and the files it writes are read back and parsed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requestFilePath } from '../src/profiling-triggers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/profiled-child.ts', import.meta.url));

interface ChildLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

interface RunningChild {
  process: ChildProcess;
  pid: number;
  /** Resolves with the first line (seen before or after the call) that `match` accepts. */
  waitFor(match: (line: ChildLine) => boolean, timeoutMs?: number): Promise<ChildLine>;
}

function startChild(dataDir: string, processName: string): Promise<RunningChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir, processName], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seen: ChildLine[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    seen.push(JSON.parse(text) as ChildLine);
  });

  const waitForLine = (match: (line: ChildLine) => boolean, timeoutMs = 15_000): Promise<ChildLine> =>
    waitFor(() => seen.find(match), timeoutMs).catch((err: unknown) => {
      throw new Error(`child never logged the line awaited; it logged: ${JSON.stringify(seen)}`, { cause: err });
    });

  return waitForLine((l) => l.message === 'ready').then(
    (ready) => ({ process: child, pid: ready.pid as number, waitFor: waitForLine }),
    (err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    },
  );
}

const messageIs = (message: string) => (line: ChildLine) => line.message === message;

let dataDir: string;
let child: RunningChild;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mailyard-profiling-'));
  child = await startChild(dataDir, 'imap-test');
});
afterAll(async () => {
  if (child && child.process.exitCode === null) {
    const exited = new Promise((resolve) => child.process.once('exit', resolve));
    child.process.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('profiling triggers in a child process', () => {
  test('SIGUSR2 writes a CPU profile that DevTools and cpupro can read; a second SIGUSR2 meanwhile is ignored', async () => {
    child.process.kill('SIGUSR2');
    await child.waitFor(messageIs('CPU profile started'));
    child.process.kill('SIGUSR2');
    const ignored = await child.waitFor(messageIs('CPU profile already running; trigger ignored'));
    expect(ignored.trigger).toBe('SIGUSR2');

    const written = await child.waitFor(messageIs('CPU profile written'));
    const file = written.file as string;
    expect(path.dirname(file)).toBe(path.join(dataDir, 'profiles'));
    expect(path.basename(file)).toMatch(new RegExp(`^imap-test-${child.pid}-\\d{8}T\\d{6}-\\d{3}Z\\.cpuprofile$`));

    const profile = JSON.parse(await readFile(file, 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string } }[];
      startTime: number;
      endTime: number;
      samples: number[];
      timeDeltas: number[];
    };
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.endTime - profile.startTime).toBeGreaterThanOrEqual(900_000);
    expect(profile.samples.length).toBe(profile.timeDeltas.length);
    expect(profile.samples.length).toBeGreaterThan(10);
    expect(profile.nodes.map((n) => n.callFrame.functionName)).toContain('spinForProfile');
  });

  test('a heap snapshot request file by pid, then by process name, each writes one snapshot', async () => {
    const profilesDir = path.join(dataDir, 'profiles');
    for (const who of [child.pid, 'imap-test']) {
      const request = requestFilePath(profilesDir, 'heapsnapshot', who);
      const before = Date.now();
      await writeFile(request, '');
      const written = await child.waitFor((l) => l.message === 'heap snapshot written' && Number(l.time) >= before);
      const file = written.file as string;
      expect(file).toMatch(/\.heapsnapshot$/);
      await expect(stat(request)).rejects.toMatchObject({ code: 'ENOENT' });

      const handle = await open(file);
      const head = Buffer.alloc(64);
      await handle.read(head, 0, 64, 0);
      await handle.close();
      expect(head.toString('utf8')).toMatch(/^\{"snapshot":\{"meta":/);
    }
  });
});
