// check-pm2 against a real PM2 daemon started by this test under its own PM2_HOME (a temp directory).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Teardown, tempDir, waitFor } from '@mailyard/testkit';
import pm2 from 'pm2';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AlertLevel } from '../src/alert.js';
import { checkPm2, connectPm2, judgeProcess, type Pm2Control } from '../src/pm2-health.js';

interface TestPm2 {
  connect(cb: (err: Error | null) => void): void;
  start(options: Record<string, unknown>, cb: (err: Error | null) => void): void;
  list(cb: (err: Error | null, list: pm2.ProcessDescription[]) => void): void;
  killDaemon(cb: (err: Error | null) => void): void;
  disconnect(): void;
}
type TestPm2Constructor = new (opts: { pm2_home: string; daemon_mode: boolean }) => TestPm2;

const MIN_UPTIME_MS = 2000;
const teardown = new Teardown();
let home: string;
let daemon: TestPm2;
let scripts: string;

function call<T = void>(run: (done: (err: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))));
}

async function processes(): Promise<Map<string, { status: string; restarts: number; startedAt: number }>> {
  const list = await call<pm2.ProcessDescription[]>((done) => daemon.list(done));
  return new Map(
    list.map((p) => [
      p.name ?? '',
      { status: p.pm2_env?.status ?? '', restarts: p.pm2_env?.restart_time ?? 0, startedAt: p.pm2_env?.pm_uptime ?? 0 },
    ]),
  );
}

function start(name: string, script: string, extra: Record<string, unknown> = {}): Promise<void> {
  return call((done) => daemon.start({ name, script: join(scripts, script), autorestart: true, ...extra }, done));
}

beforeAll(async () => {
  const dir = await tempDir('mailyard-pm2-');
  teardown.defer(() => dir.cleanup());
  home = join(dir.path, 'pm2');
  scripts = dir.path;
  await writeFile(join(scripts, 'idle.cjs'), 'setInterval(() => {}, 60_000);\n');
  await writeFile(join(scripts, 'crash.cjs'), 'process.exit(1);\n');
  const Custom = (pm2 as unknown as { custom: TestPm2Constructor }).custom;
  daemon = new Custom({ pm2_home: home, daemon_mode: true });
  await call((done) => daemon.connect(done));
  teardown.defer(async () => {
    await call((done) => daemon.killDaemon(done)).catch(() => undefined);
    daemon.disconnect();
  });
}, 30_000);

afterAll(() => teardown.run(), 30_000);

test('only the errored process is restarted; the young one is alerted on; the healthy one is left alone', async () => {
  await start('healthy', 'idle.cjs');
  // Exits at once: after max_restarts unstable restarts (under min_uptime) PM2 marks it errored.
  await start('errored', 'crash.cjs', { max_restarts: 1, min_uptime: 5000, restart_delay: 0 });
  await waitFor(async () => (await processes()).get('errored')?.status === 'errored', 15_000, 100);
  const healthyInfo = (await processes()).get('healthy');
  await waitFor(() => Date.now() - (healthyInfo?.startedAt ?? Date.now()) >= MIN_UPTIME_MS, 10_000, 100);
  await start('recent', 'idle.cjs');
  const before = await processes();

  const alerts: Array<{ level: AlertLevel; message: string }> = [];
  const control: Pm2Control = await connectPm2(home);
  const report = await checkPm2(control, {
    minUptimeMs: MIN_UPTIME_MS,
    alert: (level, message) => alerts.push({ level, message }),
  }).finally(() => control.disconnect());

  expect(report.healthy).toEqual([expect.stringMatching(/^healthy#/)]);
  expect(report.restarted).toEqual([expect.stringMatching(/^errored#/)]);
  expect(report.alerted).toEqual([expect.stringMatching(/^recent#/)]);
  expect(alerts.map((a) => a.message)).toEqual([
    expect.stringContaining('errored was errored; restarted'),
    expect.stringContaining('recent is not healthy (online'),
  ]);
  const after = await processes();
  expect(after.get('healthy')).toEqual(before.get('healthy'));
  expect(after.get('recent')?.startedAt).toBe(before.get('recent')?.startedAt);
  expect(after.get('recent')?.restarts).toBe(before.get('recent')?.restarts);
  expect(after.get('errored')?.startedAt).toBeGreaterThan(before.get('errored')?.startedAt ?? 0);
});

test('connecting where no daemon runs fails instead of starting one', async () => {
  const dir = await tempDir('mailyard-pm2-none-');
  teardown.defer(() => dir.cleanup());
  await expect(connectPm2(join(dir.path, 'pm2'))).rejects.toThrow(/no PM2 daemon/);
});

test('judgeProcess: stopped and errored restart, young or launching alert, old online is healthy', () => {
  const now = 10_000_000;
  const proc = (status: string, startedAt: number) => ({ id: 1, name: 'p', status, startedAt, restarts: 0 });
  expect(judgeProcess(proc('online', now - 900_000), 900_000, now)).toBe('healthy');
  expect(judgeProcess(proc('online', now - 899_999), 900_000, now)).toBe('alert');
  expect(judgeProcess(proc('launching', 0), 900_000, now)).toBe('alert');
  expect(judgeProcess(proc('stopping', 0), 900_000, now)).toBe('alert');
  expect(judgeProcess(proc('stopped', 0), 900_000, now)).toBe('restart');
  expect(judgeProcess(proc('errored', 0), 900_000, now)).toBe('restart');
});
