import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@mailyard/config';
import { ExternalError } from '@mailyard/errors';
import { captureLog, expectCodeBugs, tempDir, waitFor } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { type JobOutcome, runJob } from '../src/job-runtime.js';
import { createScheduler, type Scheduler } from '../src/scheduler.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function track(scheduler: Scheduler): Scheduler {
  stops.push(() => scheduler.stop());
  return scheduler;
}

test('a job that throws is logged as a code bug, alerted, retried next run, and the scheduler goes on', async () => {
  const dir = await tempDir('mailyard-scheduler-throws-');
  stops.push(dir.cleanup);
  const trace = join(dir.path, 'trace');
  const { logger, lines } = captureLog();
  const outcomes: JobOutcome[] = [];
  const alerts: string[] = [];
  const scheduler = track(
    createScheduler({
      logger,
      alert: (level, message) => alerts.push(`${level}: ${message}`),
      root: fixtures,
      jobs: [
        { name: 'throws', intervalMs: 150, firstRunMs: 0, maxRunMs: 5000 },
        { name: 'tick', intervalMs: 150, firstRunMs: 0, maxRunMs: 5000 },
      ],
      workerData: { trace },
      onOutcome: (outcome) => outcomes.push(outcome),
    }),
  );
  await scheduler.start();
  await waitFor(() => outcomes.filter((o) => o.job === 'throws').length >= 2 && outcomes.some((o) => o.job === 'tick'));
  await scheduler.stop();
  const runs = (await readFile(trace, 'utf8')).trim().split('\n').length;
  expectCodeBugs(runs);
  expect(outcomes.filter((o) => o.job === 'throws')).toHaveLength(runs);

  const bug = lines.find((line) => line.job === 'throws' && line.msg === 'code bug');
  expect(bug).toMatchObject({ level: 50, codeBug: true, errorKind: 'bug', outcome: 'job worker crashed' });
  expect(JSON.stringify(bug)).toContain('boom from job');
  expect(outcomes.find((o) => o.job === 'throws')).toMatchObject({ ok: false, codeBug: true });
  expect(outcomes.filter((o) => o.job === 'tick').every((o) => o.ok)).toBe(true);
  expect(alerts).toContain('error: job throws failed');
});

test('a run past its time limit is terminated and counted as a timeout, not a code bug', async () => {
  const { logger } = captureLog();
  const outcomes: JobOutcome[] = [];
  const scheduler = track(
    createScheduler({
      logger,
      alert: () => undefined,
      root: fixtures,
      jobs: [{ name: 'hangs', intervalMs: 60_000, firstRunMs: 0, maxRunMs: 300 }],
      onOutcome: (outcome) => outcomes.push(outcome),
    }),
  );
  await scheduler.start();
  await waitFor(() => outcomes.length > 0, 5000);
  expect(outcomes).toEqual([
    expect.objectContaining({ job: 'hangs', ok: false, codeBug: false, errorKind: 'timeout' }),
  ]);
  expect(scheduler.isRunning('hangs')).toBe(false);
});

test('a job still running is not started again', async () => {
  const dir = await tempDir('mailyard-scheduler-');
  stops.push(dir.cleanup);
  const trace = join(dir.path, 'trace');
  const { logger, lines } = captureLog();
  const scheduler = track(
    createScheduler({
      logger,
      alert: () => undefined,
      root: fixtures,
      jobs: [{ name: 'slow', intervalMs: 100, firstRunMs: 0, maxRunMs: 5000 }],
      workerData: { trace },
    }),
  );
  await scheduler.start();
  await waitFor(async () => (await readFile(trace, 'utf8').catch(() => '')).split('end').length >= 3, 5000);
  await scheduler.stop();
  const events = (await readFile(trace, 'utf8')).trim().split('\n');
  for (let i = 0; i < events.length; i++) expect(events[i]).toBe(i % 2 === 0 ? 'start' : 'end');
  expect(lines.some((line) => String(line.msg).includes('already running'))).toBe(true);
});

test('runJob logs start and finish with duration, and classifies an expected failure as no code bug', async () => {
  const { logger, lines } = captureLog();
  const config = loadConfig({ env: {} });
  const context = { config, logger, alert: () => undefined, signal: new AbortController().signal };
  const ok = await runJob('demo', async () => ({ freed: 3 }), context);
  expect(ok).toMatchObject({ job: 'demo', ok: true, summary: { freed: 3 } });
  const failed = await runJob(
    'demo',
    async () => {
      throw new ExternalError('DNS timed out');
    },
    context,
  );
  expect(failed).toMatchObject({ ok: false, codeBug: false, errorKind: 'external', message: 'DNS timed out' });
  expect(lines.map((line) => line.msg)).toEqual(['job started', 'job finished', 'job started', 'DNS timed out']);
  expect(lines[1]).toMatchObject({ job: 'demo', freed: 3, durationMs: expect.any(Number) });
  expect(lines[3]).toMatchObject({ level: 40, job: 'demo', codeBug: false, errorKind: 'external' });
});
