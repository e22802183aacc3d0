import { metrics } from '@mailyard/monitor';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('GET /metrics and /health on the dashboard port', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    metrics.health.set({ check: 'cpu' }, 1);
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('/metrics serves the Prometheus catalogue and opens no session', async () => {
    const res = await fetch(`${h.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.text()).toContain('# TYPE mailyard_health gauge');
  });

  test('/health reports each check and turns degraded while one alerts', async () => {
    metrics.health.set({ check: 'cpu' }, 1);
    const ok = await fetch(`${h.base}/health`);
    expect(ok.status).toBe(200);
    expect(ok.headers.getSetCookie()).toEqual([]);
    expect(await ok.json()).toMatchObject({ status: 'ok', checks: { cpu: 'ok' } });
    metrics.health.set({ check: 'cpu' }, 0);
    expect(await (await fetch(`${h.base}/health`)).json()).toMatchObject({
      status: 'degraded',
      checks: { cpu: 'alerting' },
    });
  });

  test('a POST to /metrics is not served the metrics', async () => {
    const res = await fetch(`${h.base}/metrics`, { method: 'POST', redirect: 'manual' });
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain('mailyard_health');
  });
});
