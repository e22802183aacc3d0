import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { metrics, metricsText, registry } from './metrics.js';
import { createMetricsServer, type MetricsServer } from './metrics-server.js';

const CATALOGUE = [
  'mailyard_connections',
  'mailyard_commands_total',
  'mailyard_command_seconds',
  'mailyard_messages_total',
  'mailyard_queue_depth',
  'mailyard_queue_bytes',
  'mailyard_byte_budget_in_use_bytes',
  'mailyard_mailbox_opens_total',
  'mailyard_job_runs_total',
  'mailyard_job_seconds',
  'mailyard_health',
  'mailyard_auth_failures_total',
];

let server: MetricsServer;
let base: string;
beforeEach(async () => {
  server = await createMetricsServer({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
});
afterEach(async () => {
  await server.close();
});

describe('metrics server', () => {
  test('GET /metrics serves the whole catalogue and process metrics in Prometheus text format', async () => {
    metrics.connections.inc({ protocol: 'imap' });
    metrics.commands.inc({ protocol: 'imap', command: 'FETCH', result: 'ok' }, 3);
    metrics.commandSeconds.observe({ protocol: 'imap', command: 'FETCH', result: 'ok' }, 0.004);
    metrics.messages.inc({ direction: 'accepted' });

    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of CATALOGUE) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('mailyard_connections{protocol="imap"} 1');
    expect(text).toContain('mailyard_commands_total{protocol="imap",command="FETCH",result="ok"} 3');
    expect(text).toContain('mailyard_command_seconds_bucket{le="0.005",protocol="imap",command="FETCH",result="ok"} 1');
    expect(text).toContain('mailyard_messages_total{direction="accepted"} 1');
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
  });

  test('GET /health answers JSON built from mailyard_health', async () => {
    metrics.health.set({ check: 'disk' }, 0);
    metrics.health.set({ check: 'cpu' }, 1);
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ status: 'degraded', checks: { disk: 'alerting', cpu: 'ok' } });
    metrics.health.reset();
  });

  test('other paths are 404 and other methods 405', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('metric registry', () => {
  test('is our own registry, not prom-client global one, and metricsText() renders it', async () => {
    const { register } = await import('prom-client');
    expect(registry).not.toBe(register);
    expect(register.getSingleMetric('mailyard_health')).toBeUndefined();
    expect(await metricsText()).toContain('# HELP mailyard_queue_depth ');
  });
});
