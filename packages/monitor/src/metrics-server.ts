// A small HTTP server for a protocol process's local metrics port: GET /metrics (Prometheus text format) and
// GET /health (JSON). /health answers 200 whenever the process can answer at all, with `status: "degraded"` while
// a check alerts: a full disk is a reason to page someone, not for a supervisor to restart the process.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectProcessMetrics, type HealthStatus, healthStatus, metricsContentType, metricsText } from './metrics.js';

export interface MetricsServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Default 127.0.0.1: metrics stay on the machine unless deliberately exposed. */
  host?: string;
  /** What /health serves; default healthStatus(). */
  health?: () => Promise<HealthStatus> | HealthStatus;
}

export interface MetricsServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

async function route(req: http.IncomingMessage, res: http.ServerResponse, options: MetricsServerOptions) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (pathname === '/metrics') return send(res, 200, metricsContentType, await metricsText());
  if (pathname === '/health') {
    const health = await (options.health ?? healthStatus)();
    return send(res, 200, 'application/json', `${JSON.stringify(health)}\n`);
  }
  send(res, 404, 'text/plain', 'not found\n');
}

export async function createMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  collectProcessMetrics();
  const server = http.createServer((req, res) => {
    route(req, res, options).catch(() => send(res, 500, 'text/plain', 'metrics unavailable\n'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
