/**
 * GET /metrics (Prometheus text format, the catalogue of @mailyard/monitor) and GET /health (JSON, 200 while the
 * process can answer, `status: "degraded"` while a health check alerts) on the dashboard's own port: the web
 * process has no metrics listener of its own (startProcessMonitoring with metricsPort: false). Answered before the
 * session middleware, so a scraper gets no session cookie and creates no session.
 */
import { healthStatus, metricsContentType, metricsText } from '@mailyard/monitor';
import type { Next } from 'koa';
import type { WebContext } from './web-context.js';

const READ_METHODS = new Set(['GET', 'HEAD']);

export async function monitoringEndpoints(ctx: WebContext, next: Next): Promise<void> {
  if (!READ_METHODS.has(ctx.method)) return next();
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
  return next();
}
