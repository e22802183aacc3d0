import { metrics } from '@mailyard/monitor';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { basic, type Harness, startHarness } from './harness.js';

describe('GET /metrics and /health on the API port', () => {
  let h: Harness;
  beforeAll(async () => {
    // Two requests a minute per address: the monitoring endpoints must not count against (or be blocked by) it.
    h = await startHarness({ rateLimits: { perIpPerMinute: 2 } });
  });
  afterAll(async () => {
    metrics.health.set({ check: 'disk' }, 1);
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('/metrics serves the Prometheus catalogue without a token, outside the rate limits', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${h.base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain('# TYPE mailyard_health gauge');
      expect(text).toContain('# TYPE mailyard_commands_total counter');
    }
  });

  test('/health reports each check and turns degraded while one alerts', async () => {
    metrics.health.set({ check: 'disk' }, 1);
    const ok = await fetch(`${h.base}/health`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toMatchObject({ status: 'ok', checks: { disk: 'ok' } });
    metrics.health.set({ check: 'disk' }, 0);
    const degraded = await (await fetch(`${h.base}/health`)).json();
    expect(degraded).toMatchObject({ status: 'degraded', checks: { disk: 'alerting' } });
  });

  test('a stale token does not stop a scrape; other methods and the /v1 routes are unaffected', async () => {
    const withBadToken = await fetch(`${h.base}/metrics`, { headers: { authorization: basic('not-a-token') } });
    expect(withBadToken.status).toBe(200);
    const post = await fetch(`${h.base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ statusCode: 404 });
  });
});
