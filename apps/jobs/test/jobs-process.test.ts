// The jobs process as main.ts starts it (its factory), on port 0 in a temp data directory.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { captureLog, Teardown, tempDir, waitFor } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { startJobsProcess } from '../src/jobs-process.js';

const teardown = new Teardown();
afterEach(() => teardown.run());

async function setup() {
  const dir = await tempDir('mailyard-jobs-process-');
  teardown.defer(() => dir.cleanup());
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir.path,
      hostname: 'mail.example.test',
      alerts: { adminEmail: 'admin@example.test' },
      monitor: { profileSeconds: 1 },
    },
  });
  const control = new SqliteControlStore({ dataDir: dir.path, masterKey: randomBytes(32) });
  teardown.defer(() => control.close());
  const { logger, lines } = captureLog();
  const jobsRoot = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const wakeups = { count: 0 };
  const jobs = await startJobsProcess({
    config,
    logger,
    control,
    jobs: [],
    jobsRoot,
    metricsPort: 0,
    wakeOutbound: () => wakeups.count++,
  });
  teardown.defer(() => jobs.stop());
  return { dir: dir.path, control, jobs, lines, wakeups };
}

test('SIGUSR2 writes a CPU profile that parses as a DevTools profile', async () => {
  const { dir, lines } = await setup();
  process.kill(process.pid, 'SIGUSR2');
  const profiles = join(dir, 'profiles');
  const file = await waitFor(async () => (await readdir(profiles)).find((f) => f.endsWith('.cpuprofile')), 10_000, 50);
  // Named after the hosting process (outbound by default).
  expect(file).toMatch(/^outbound-\d+-\d{8}T\d{6}-\d{3}Z\.cpuprofile$/);
  const profile = JSON.parse(await readFile(join(profiles, file), 'utf8'));
  expect(profile.nodes.length).toBeGreaterThan(0);
  expect(profile.endTime).toBeGreaterThan(profile.startTime);
  expect(lines.some((line) => line.msg === 'CPU profile written')).toBe(true);
});

test('serves /metrics and /health, and mails warn and error alerts to the administrator once (waking the outbound workers)', async () => {
  const { control, jobs, lines, wakeups } = await setup();
  const port = jobs.monitoring.metricsServer?.port;
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toContain('mailyard_job_runs_total');
  expect(metrics).toContain('process_cpu_user_seconds_total');
  expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toMatchObject({ status: expect.any(String) });

  jobs.alert('error', 'disk almost full', { percent: 91 });
  jobs.alert('error', 'disk almost full', { percent: 92 });
  jobs.alert('info', 'disk recovered', {});
  const queued = await waitFor(async () => {
    const recent = await control.listRecent(10);
    return recent.length > 0 ? recent : undefined;
  });
  expect(queued).toHaveLength(1);
  await waitFor(() => wakeups.count === 1);
  expect(queued[0]).toMatchObject({ envelopeFrom: 'postmaster@mail.example.test', state: 'queued' });
  expect(queued[0]?.recipients.map((r) => r.address)).toEqual(['admin@example.test']);
  expect(lines.filter((line) => line.alert === true).map((line) => line.msg)).toEqual([
    'disk almost full',
    'disk almost full',
    'disk recovered',
  ]);
});
