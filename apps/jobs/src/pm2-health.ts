// check-pm2: one look at the PM2 process list. A process is healthy only when it is online and has been up for
// at least minUptimeMs (default 15 min), so a process that keeps crashing and being restarted by PM2 is never
// mistaken for a healthy one. Only processes that are stopped or errored are restarted, once per check: PM2
// itself restarts crashed processes, and restarting anything that is online would start the restart loop this
// check exists to catch. Everything else that is unhealthy (online but young, launching, stopping) is alerted on.
import { ExternalError } from '@mailyard/errors';
import pm2 from 'pm2';
import type { AlertFn } from './alert.js';

export type Pm2Status = 'online' | 'stopping' | 'stopped' | 'launching' | 'errored' | 'one-launch-status' | string;

export interface Pm2Process {
  id: number;
  name: string;
  status: Pm2Status;
  /** Time the process last started (ms since the epoch). */
  startedAt: number;
  restarts: number;
}

export interface Pm2Control {
  list(): Promise<Pm2Process[]>;
  restart(id: number): Promise<void>;
  disconnect(): Promise<void>;
}

export type ProcessVerdict = 'healthy' | 'restart' | 'alert';

export interface Pm2CheckReport {
  healthy: string[];
  restarted: string[];
  alerted: string[];
  [key: string]: unknown;
}

const RESTARTABLE: ReadonlySet<Pm2Status> = new Set(['stopped', 'errored']);

export function judgeProcess(proc: Pm2Process, minUptimeMs: number, now: number): ProcessVerdict {
  if (RESTARTABLE.has(proc.status)) return 'restart';
  if (proc.status === 'online' && now - proc.startedAt >= minUptimeMs) return 'healthy';
  return 'alert';
}

function label(proc: Pm2Process): string {
  return `${proc.name}#${proc.id}`;
}

export async function checkPm2(
  control: Pm2Control,
  opts: { minUptimeMs: number; alert: AlertFn; now?: () => number },
): Promise<Pm2CheckReport> {
  const now = opts.now ?? Date.now;
  const report: Pm2CheckReport = { healthy: [], restarted: [], alerted: [] };
  for (const proc of await control.list()) {
    const verdict = judgeProcess(proc, opts.minUptimeMs, now());
    if (verdict === 'healthy') {
      report.healthy.push(label(proc));
      continue;
    }
    if (verdict === 'restart') {
      await control.restart(proc.id);
      report.restarted.push(label(proc));
      opts.alert('warn', `process ${proc.name} was ${proc.status}; restarted`, {
        process: proc.name,
        pmId: proc.id,
        status: proc.status,
      });
      continue;
    }
    report.alerted.push(label(proc));
    const uptimeMs = Math.max(0, now() - proc.startedAt);
    opts.alert('warn', `process ${proc.name} is not healthy (${proc.status}, up ${Math.round(uptimeMs / 1000)} s)`, {
      process: proc.name,
      pmId: proc.id,
      status: proc.status,
      uptimeMs,
      restarts: proc.restarts,
      minUptimeMs: opts.minUptimeMs,
    });
  }
  return report;
}

function callback<T>(run: (done: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))));
}

interface Pm2Api {
  Client: { pingDaemon(cb: (alive: boolean) => void): void };
  connect(cb: (err: Error | null) => void): void;
  list(cb: (err: Error | null, list: pm2.ProcessDescription[]) => void): void;
  restart(id: number, cb: (err: Error | null) => void): void;
  disconnect(): void;
}

type Pm2CustomConstructor = new (opts: { pm2_home?: string; daemon_mode?: boolean }) => Pm2Api;

function toProcess(desc: pm2.ProcessDescription): Pm2Process {
  const env = desc.pm2_env;
  return {
    id: desc.pm_id ?? -1,
    name: desc.name ?? 'unknown',
    status: env?.status ?? 'unknown',
    startedAt: env?.pm_uptime ?? 0,
    restarts: env?.restart_time ?? 0,
  };
}

/**
 * Connects to the PM2 daemon of pm2Home (default: $PM2_HOME or ~/.pm2). The daemon must already run: this never
 * starts one, it fails instead (the jobs process not running under PM2 has nothing to check).
 */
export async function connectPm2(pm2Home?: string): Promise<Pm2Control> {
  const Custom = (pm2 as unknown as { custom: Pm2CustomConstructor }).custom;
  const api = new Custom({ ...(pm2Home ? { pm2_home: pm2Home } : {}), daemon_mode: true });
  const alive = await new Promise<boolean>((resolve) => api.Client.pingDaemon(resolve));
  if (!alive) throw new ExternalError(`no PM2 daemon answers in ${pm2Home ?? '$PM2_HOME or ~/.pm2'}`);
  await callback<void>((done) => api.connect(done));
  return {
    list: async () => (await callback<pm2.ProcessDescription[]>((done) => api.list(done))).map(toProcess),
    restart: (id) => callback<void>((done) => api.restart(id, done)),
    disconnect: async () => api.disconnect(),
  };
}
