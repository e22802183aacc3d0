import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { type ProcessMonitoringConfig, startProcessMonitoring } from './process-monitoring.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function config(metrics: ProcessMonitoringConfig['metrics']): Promise<ProcessMonitoringConfig> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailyard-process-monitoring-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  return {
    dataDir,
    bind: '127.0.0.1',
    metrics,
    monitor: {
      sampleIntervalMs: 10_000,
      heapLimitBytes: 2 * 1024 ** 3,
      freeMemoryPercent: 25,
      cpuPercent: 80,
      diskPercent: 75,
      consecutiveSamples: 2,
      profileSeconds: 1,
      profileRetentionMs: 86_400_000,
    },
  };
}

test('serves /metrics and /health on the process metrics port from the configuration, until stopped', async () => {
  const monitoring = await startProcessMonitoring({
    logger: silent,
    config: await config({ enabled: true, imapPort: 0 }),
    processName: 'imap',
  });
  cleanups.push(() => monitoring.stop());
  const port = monitoring.metricsServer?.port;
  expect(port).toBeGreaterThan(0);
  expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('mailyard_health');
  expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  expect(monitoring.monitor.cpuProfileSeconds).toBe(1);
  await monitoring.stop();
  await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
});

test('no listener when metrics are disabled or the process serves them itself', async () => {
  const disabled = await startProcessMonitoring({
    logger: silent,
    config: await config({ enabled: false, jobsPort: 0 }),
    processName: 'jobs',
  });
  cleanups.push(() => disabled.stop());
  expect(disabled.metricsServer).toBeUndefined();
  const api = await startProcessMonitoring({
    logger: silent,
    config: await config({ enabled: true }),
    processName: 'api',
    metricsPort: false,
  });
  cleanups.push(() => api.stop());
  expect(api.metricsServer).toBeUndefined();
});
