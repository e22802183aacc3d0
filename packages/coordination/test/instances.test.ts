/**
 * Instances as separate Node processes (test/instance.ts), as PM2 runs them, sharing one redis-server: a lock
 * held by one process is never held by another at the same time, with fencing tokens increasing in time order
 * across both; and mailbox events cross from one process to another (latency printed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type RedisServer,
  redisServerAvailable,
  repoRoot,
  startRedisServer,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const available = redisServerAvailable();
const script = join(dirname(fileURLToPath(import.meta.url)), 'instance.ts');

interface Instance {
  lines: unknown[];
  exited: Promise<number | null>;
  process: ChildProcess;
}

function startInstance(url: string, dataDir: string, role: string, count: number): Instance {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', script, url, dataDir, role, `${count}`],
    {
      cwd: repoRoot(),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: unknown[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push(JSON.parse(line)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { lines, exited, process: child };
}

describe.skipIf(!available)('instances in separate processes', () => {
  let server: RedisServer;
  let dir: TempDir;
  const started: Instance[] = [];
  const start = (role: string, count: number) => {
    const instance = startInstance(server.url, dir.path, role, count);
    started.push(instance);
    return instance;
  };

  beforeAll(async () => {
    server = await startRedisServer({ password: 'instances' });
    dir = await tempDir('mailyard-coordination-');
  });
  afterAll(async () => {
    for (const instance of started) instance.process.kill('SIGKILL');
    await server?.stop();
    await dir?.cleanup();
  });

  test('one lock holder at a time across processes, fencing tokens in time order', async () => {
    const lockers = [start('locker', 25), start('locker', 25)];
    expect(await Promise.all(lockers.map((l) => l.exited))).toEqual([0, 0]);
    const held = lockers.flatMap(
      (l) => (l.lines[0] as { held: Array<{ start: number; end: number; token: number }> }).held,
    );
    expect(held).toHaveLength(50);
    held.sort((a, b) => a.start - b.start);
    for (let i = 1; i < held.length; i++) {
      const [before, after] = [held[i - 1], held[i]];
      expect(after?.start).toBeGreaterThanOrEqual(before?.end ?? Number.POSITIVE_INFINITY);
      expect(after?.token).toBeGreaterThan(before?.token ?? Number.POSITIVE_INFINITY);
    }
  });

  test('mailbox events cross processes through Redis (latency printed)', async () => {
    const listener = start('listener', 100);
    await waitFor(() => listener.lines.length > 0, 30_000);
    const publisher = start('publisher', 100);
    expect(await Promise.all([listener.exited, publisher.exited])).toEqual([0, 0]);
    const { sentAt } = publisher.lines[0] as { sentAt: number[] };
    const received = listener.lines.slice(1) as Array<{ uid: number; receivedAt: number }>;
    expect(received.map((r) => r.uid)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const latencies = received.map((r) => r.receivedAt - (sentAt[r.uid - 1] ?? Number.NaN)).sort((a, b) => a - b);
    const p50 = latencies[50] ?? Number.NaN;
    const p99 = latencies[98] ?? Number.NaN;
    expect(latencies[0]).toBeGreaterThan(0);
    console.log(`redis events between processes: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (100 events)`);
    expect(p99).toBeLessThan(1_000);
  });
});
