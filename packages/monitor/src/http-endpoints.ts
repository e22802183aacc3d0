/**
 * GET/HEAD /metrics (Prometheus text format, this package's catalogue) and /health (JSON: 200 while the process
 * can answer, `status: "degraded"` while a health check alerts) as middleware for an HTTP app that serves them on
 * its own port (api and web run startProcessMonitoring with metricsPort: false). Mount it before authentication,
 * sessions and rate limits, so a scraper needs no credentials, gets no cookie and uses up no client's budget.
 * Typed structurally over Koa's context, so this package does not depend on Koa.
 */
import { healthStatus, metricsContentType, metricsText } from './metrics.js';

export interface MonitoringHttpContext {
  readonly method: string;
  readonly path: string;
  set(field: string, value: string): void;
  type: string;
  body: unknown;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

export async function monitoringEndpoints(ctx: MonitoringHttpContext, next: () => Promise<unknown>): Promise<void> {
  if (!READ_METHODS.has(ctx.method)) {
    await next();
    return;
  }
  if (ctx.path === '/metrics') {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metricsContentType;
    ctx.body = await metricsText();
    return;
  }
  if (ctx.path === '/health') {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await healthStatus();
    return;
  }
  await next();
}
