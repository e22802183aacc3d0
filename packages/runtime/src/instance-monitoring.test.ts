import { loadConfig } from '@mailyard/config';
import { expect, test } from 'vitest';
import { instanceMonitoring } from './boot-process.js';

const config = loadConfig({ env: {} });

test('instance 0 (or no PM2 instance number) keeps the configured metrics port', () => {
  expect(instanceMonitoring(config, { processName: 'imap' }, 0)).toEqual({});
  expect(instanceMonitoring(config, { processName: 'imap' }, Number.NaN)).toEqual({});
});

test('instance k serves /metrics on metrics.<name>Port + 100 k', () => {
  expect(instanceMonitoring(config, { processName: 'imap' }, 2)).toEqual({
    metricsPort: config.metrics.imapPort + 200,
  });
  expect(instanceMonitoring(config, { processName: 'mx', monitoring: { metricsPort: 9000 } }, 1)).toEqual({
    metricsPort: 9100,
  });
});

test('no listener, port 0 and disabled metrics stay as they are', () => {
  expect(instanceMonitoring(config, { processName: 'api', monitoring: { metricsPort: false } }, 3)).toEqual({
    metricsPort: false,
  });
  expect(instanceMonitoring(config, { processName: 'imap', monitoring: { metricsPort: 0 } }, 3)).toEqual({
    metricsPort: 0,
  });
  const off = loadConfig({ env: { MAILYARD_METRICS_ENABLED: 'false' } });
  expect(instanceMonitoring(off, { processName: 'imap' }, 1)).toEqual({});
});
