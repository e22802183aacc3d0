/**
 * Recording the protocol metrics of the catalogue the same way in every app: one command (an SMTP, IMAP or POP3
 * command, an HTTP request by its route) in mailyard_commands_total and mailyard_command_seconds with its result,
 * and open connections in mailyard_connections. Command labels come from a fixed set (known command names, route
 * patterns), never from client input as sent, so a client cannot grow the label space.
 */
import type { Server } from 'node:net';
import { type CommandResult, metrics, registry } from './metrics.js';

/** Starts timing one command; the returned function records it with its result (call it once). */
export function timeCommand(protocol: string, command: string): (result: CommandResult) => void {
  const start = process.hrtime.bigint();
  return (result) => {
    const labels = { protocol, command, result };
    metrics.commands.inc(labels);
    metrics.commandSeconds.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
  };
}

/** One connection opened; the returned function closes it (idempotent). */
export function openConnection(protocol: string): () => void {
  metrics.connections.inc({ protocol });
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    metrics.connections.dec({ protocol });
  };
}

/** Counts a listener's connections in mailyard_connections{protocol} while they are open. */
export function countConnections(server: Server, protocol: string): void {
  server.on('connection', (socket) => socket.once('close', openConnection(protocol)));
}

/** The result of an HTTP exchange by its status: 5xx error (ours), 400 bad (syntax), other 4xx no, else ok. */
export function httpResult(status: number): CommandResult {
  if (status >= 500) return 'error';
  if (status === 400) return 'bad';
  if (status >= 400) return 'no';
  return 'ok';
}

/** What httpMetrics reads of a Koa context: @koa/router leaves the matched route pattern in _matchedRoute. */
export interface HttpMetricsContext {
  method: string;
  status: number;
  _matchedRoute?: string | RegExp;
}

/**
 * Koa middleware recording each request as a command `<METHOD> <route pattern>` (`(unmatched)` when no route
 * matched, so scanners cannot add labels). Mount it first, outside the error mapping, to see the final status.
 */
export function httpMetrics(protocol: string) {
  return async (ctx: HttpMetricsContext, next: () => Promise<unknown>): Promise<void> => {
    const start = process.hrtime.bigint();
    let failed = false;
    try {
      await next();
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      const route = ctx._matchedRoute === undefined ? '(unmatched)' : String(ctx._matchedRoute);
      const labels = { protocol, command: `${ctx.method} ${route}`, result: failed ? 'error' : httpResult(ctx.status) };
      metrics.commands.inc(labels);
      metrics.commandSeconds.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    }
  };
}

/**
 * The current value of one series of a catalogue metric (a histogram's observation count), 0 when it has none:
 * what tests assert on, read through the registry as a scrape would (collect callbacks run).
 */
export async function readMetric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name} in the catalogue`);
  const values = (await metric.get()).values as Array<{
    value: number;
    labels: Record<string, string | number | undefined>;
    metricName?: string;
  }>;
  const matching = values.filter((v) =>
    Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value),
  );
  const counts = matching.filter((v) => v.metricName === `${name}_count`);
  if (counts.length > 0) return counts.reduce((sum, v) => sum + v.value, 0);
  return matching.filter((v) => v.metricName === undefined || v.metricName === name).reduce((s, v) => s + v.value, 0);
}
