import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { recordingLogger } from '../test/fixtures/recording-logger.js';
import { healthySample } from '../test/fixtures/samples.js';
import { healthStatus } from './metrics.js';
import { type AlertLevel, createMonitor } from './monitor.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mailyard-monitor-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

interface Alert {
  level: AlertLevel;
  message: string;
  details: Record<string, unknown>;
}

function alertRecorder() {
  const alerts: Alert[] = [];
  return {
    alerts,
    alert: (level: AlertLevel, message: string, details: Record<string, unknown>) =>
      alerts.push({ level, message, details }),
  };
}

describe('createMonitor with injected samples', () => {
  test('alerts through the injected function once per episode and reports recovery', async () => {
    const { alerts, alert } = alertRecorder();
    const monitor = createMonitor({ logger: recordingLogger(), dataDir, processName: 'imap', alert });
    const busy = healthySample({ systemCpuPercent: 92 });
    for (let i = 0; i < 5; i++) monitor.observe(busy);
    expect(alerts).toEqual([
      {
        level: 'warn',
        message: 'machine CPU busy',
        details: { processName: 'imap', check: 'cpu', value: 92, threshold: 80 },
      },
    ]);
    expect(monitor.status().status).toBe('degraded');
    expect(await healthStatus()).toEqual({
      status: 'degraded',
      checks: { heap: 'ok', memory: 'ok', cpu: 'alerting', disk: 'ok' },
    });

    monitor.observe(healthySample());
    monitor.observe(healthySample());
    expect(alerts.map((a) => [a.level, a.message])).toEqual([
      ['warn', 'machine CPU busy'],
      ['info', 'cpu recovered'],
    ]);
    expect((await healthStatus()).status).toBe('ok');
  });

  test('without an alert function, alerts are logged at their level', () => {
    const logger = recordingLogger();
    const monitor = createMonitor({ logger, dataDir, processName: 'mx' });
    const full = healthySample({ disk: { path: dataDir, totalBytes: 100, availableBytes: 5, usedPercent: 95 } });
    monitor.observe(full);
    monitor.observe(full);
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: 'data disk filling up',
      details: { processName: 'mx', check: 'disk', value: 95, threshold: 75 },
    });
  });

  test('a heap past its limit writes a heap snapshot at most once an hour', async () => {
    let clock = 1_000_000;
    const logger = recordingLogger();
    const monitor = createMonitor({
      logger,
      dataDir,
      processName: 'imap',
      heapLimitBytes: 1024 ** 3,
      now: () => clock,
      alert: () => {},
    });
    const swollen = healthySample({ heapUsedBytes: 1024 ** 3 + 1 });
    const snapshots = async () => (await readdir(monitor.profilesDir)).filter((f) => f.endsWith('.heapsnapshot'));

    monitor.observe(swollen);
    await vi.waitFor(async () => expect(await snapshots()).toHaveLength(1), { timeout: 20_000, interval: 50 });
    clock += 59 * 60_000;
    monitor.observe(swollen);
    monitor.observe(swollen);
    clock += 2 * 60_000;
    monitor.observe(healthySample());
    // Time on purpose: a second snapshot, which must not be written, would appear within it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await snapshots()).toHaveLength(1);
    expect(logger.lines.filter((l) => l.message === 'heap past limit; writing heap snapshot')).toHaveLength(1);

    monitor.observe(swollen);
    await vi.waitFor(async () => expect(await snapshots()).toHaveLength(2), { timeout: 20_000, interval: 50 });
    expect((await snapshots())[0]).toMatch(new RegExp(`^imap-${process.pid}-\\d{8}T\\d{6}-\\d{3}Z\\.heapsnapshot$`));
  });
  test('by default a heap nearing V8 own limit is snapshotted even when that limit is under the threshold', async () => {
    const logger = recordingLogger();
    const v8Limit = v8.getHeapStatistics().heap_size_limit;
    const monitor = createMonitor({
      logger,
      dataDir,
      processName: 'imap',
      thresholds: { heapUsedBytes: 100 * 1024 ** 3 },
    });
    monitor.observe(healthySample({ heapUsedBytes: 0.8 * v8Limit }));
    monitor.observe(healthySample({ heapUsedBytes: 0.9 * v8Limit }));
    await vi.waitFor(() => expect(logger.lines.map((l) => l.message)).toContain('heap snapshot written'), {
      timeout: 20_000,
      interval: 50,
    });
    expect(logger.lines.filter((l) => l.message === 'heap past limit; writing heap snapshot')).toEqual([
      {
        level: 'warn',
        message: 'heap past limit; writing heap snapshot',
        details: expect.objectContaining({ heapUsedBytes: 0.9 * v8Limit }),
      },
    ]);
  });
});

describe('createMonitor sampling this process', () => {
  test('sample() reads plausible figures for this process, the machine and the data directory', () => {
    const monitor = createMonitor({ logger: recordingLogger(), dataDir, processName: 'test' });
    const sample = monitor.sample();
    expect(sample.heapUsedBytes).toBeGreaterThan(1024 ** 2);
    expect(sample.heapUsedBytes).toBeLessThanOrEqual(sample.heapTotalBytes);
    expect(sample.heapSizeLimitBytes).toBeGreaterThan(sample.heapTotalBytes);
    expect(sample.rssBytes).toBeGreaterThan(sample.heapUsedBytes);
    expect(sample.totalMemoryBytes).toBe(os.totalmem());
    expect(sample.freeMemoryPercent).toBeGreaterThan(0);
    expect(sample.freeMemoryPercent).toBeLessThan(100);
    for (const cpu of [sample.processCpuPercent, sample.systemCpuPercent]) {
      expect(cpu).toBeGreaterThanOrEqual(0);
      expect(cpu).toBeLessThanOrEqual(100);
    }
    expect(sample.disk?.path).toBe(dataDir);
    expect(sample.disk?.totalBytes).toBeGreaterThan(0);
    expect(sample.disk?.usedPercent).toBeGreaterThan(0);
    expect(sample.disk?.usedPercent).toBeLessThan(100);
  });

  test('process CPU reflects work done between samples', () => {
    const monitor = createMonitor({ logger: recordingLogger(), dataDir, processName: 'test' });
    monitor.sample();
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();
    // 50 ms of CPU actually spent (not wall time: a loaded machine may deschedule us for much of it).
    while (cpuMs(process.cpuUsage(cpuBefore)) < 50) Math.sqrt(Math.random());
    const measured = monitor.sample().processCpuPercent;
    const cores = os.availableParallelism();
    // The CPU we know we spent, as a share of all cores over at most the wall time that passed (the monitor's
    // window starts a little earlier, so its figure may be a little lower: half of it is the bound).
    const spent = (cpuMs(process.cpuUsage(cpuBefore)) / (performance.now() - startedAt) / cores) * 100;
    expect(measured).toBeGreaterThan(spent / 2);
  });

  test('a missing data directory yields no disk figures rather than an error', () => {
    const monitor = createMonitor({
      logger: recordingLogger(),
      dataDir: path.join(dataDir, 'absent'),
      processName: 't',
    });
    expect(monitor.sample().disk).toBeNull();
  });

  test('start() samples on its interval until stop()', async () => {
    const { alerts, alert } = alertRecorder();
    const monitor = createMonitor({
      logger: recordingLogger(),
      dataDir,
      processName: 'test',
      intervalMs: 20,
      thresholds: { cpuPercent: 0 },
      alert,
    });
    monitor.start();
    await vi.waitFor(() => expect(alerts.map((a) => a.details.check)).toContain('cpu'), { timeout: 2000 });
    monitor.stop();
    expect(monitor.status().sample).toBeDefined();
  });
});

describe('CPU profile from the monitor', () => {
  test('a second request while a profile runs is ignored', async () => {
    const logger = recordingLogger();
    const monitor = createMonitor({ logger, dataDir, processName: 'test' });
    const first = monitor.writeCpuProfile(0.2);
    expect(monitor.cpuProfileRunning).toBe(true);
    expect(await monitor.writeCpuProfile(0.2)).toBeUndefined();
    const file = await first;
    expect(file).toMatch(/\.cpuprofile$/);
    expect(monitor.cpuProfileRunning).toBe(false);
    expect(logger.lines.map((l) => l.message)).toContain('CPU profile already running; request ignored');
  });

  test('a profile length outside (0, 600] seconds is refused', async () => {
    const monitor = createMonitor({ logger: recordingLogger(), dataDir, processName: 'test' });
    for (const seconds of [0, -1, Number.NaN, 601])
      await expect(monitor.writeCpuProfile(seconds)).rejects.toThrow(RangeError);
    expect(monitor.cpuProfileRunning).toBe(false);
  });
});

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
