// createMonitor: samples health on a timer, raises alerts once per episode, records mailyard_health, takes a heap
// snapshot when the heap passes its limit (at most once an hour), and writes profiles on request.

import v8 from 'node:v8';
import type { MinimalLogger } from '@mailyard/errors';
import {
  createHealthEvaluator,
  DEFAULT_THRESHOLDS,
  HEALTH_CHECKS,
  type HealthCheckName,
  type HealthEvent,
  type HealthSample,
  type HealthThresholds,
} from './health-checks.js';
import { createHealthSampler } from './health-sampler.js';
import { collectProcessMetrics, metrics } from './metrics.js';
import {
  DEFAULT_RETENTION,
  profilesDirOf,
  pruneProfiles,
  type RetentionPolicy,
  writeCpuProfileFile,
  writeHeapSnapshotFile,
} from './profiles.js';

export type AlertLevel = 'info' | 'warn' | 'error';
export type AlertFn = (level: AlertLevel, message: string, details: Record<string, unknown>) => void;

export interface MonitorOptions {
  logger: MinimalLogger;
  dataDir: string;
  /** Names this process in profile file names and alerts (the PM2 process name: mx, imap, jobs, ...). */
  processName: string;
  thresholds?: Partial<HealthThresholds>;
  /** Sampling period. Default 10 s. */
  intervalMs?: number;
  /** Where alerts and recoveries go. Default: the logger, at the alert's level. */
  alert?: AlertFn;
  /**
   * Used-heap bytes past which a heap snapshot is taken. Default: the heap threshold (2 GiB), or 85% of V8's own
   * heap limit when that is lower, so a process with a smaller --max-old-space-size is caught before it dies.
   */
  heapLimitBytes?: number;
  /** Minimum time between automatic heap snapshots. Default 1 h. */
  heapSnapshotIntervalMs?: number;
  /** Length of a CPU profile when the caller gives none. Default 30 s. */
  cpuProfileSeconds?: number;
  retention?: Partial<RetentionPolicy>;
  /** Clock for sample times and the snapshot rate limit (tests move it). */
  now?: () => number;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<HealthCheckName, 'ok' | 'alerting'>;
  sample: HealthSample | undefined;
}

export interface Monitor {
  readonly logger: MinimalLogger;
  readonly processName: string;
  readonly profilesDir: string;
  readonly cpuProfileSeconds: number;
  /** True while a CPU profile is being recorded. */
  readonly cpuProfileRunning: boolean;
  /** Samples every intervalMs on an unref'd timer. Idempotent. */
  start(): void;
  stop(): void;
  /** Reads a sample now, evaluates it (alerts, gauges, automatic snapshot) and returns it. */
  sample(): HealthSample;
  /** Evaluates a sample read elsewhere (tests inject them); returns the alerts and recoveries it caused. */
  observe(sample: HealthSample): HealthEvent[];
  status(): HealthReport;
  /** Writes a heap snapshot and prunes old profiles; returns its path. Blocks the event loop while V8 writes. */
  writeHeapSnapshot(): Promise<string>;
  /** Records and writes a CPU profile; resolves to its path, or undefined if one was already running. */
  writeCpuProfile(seconds?: number): Promise<string | undefined>;
}

/** A profile captures a moment of trouble; ten minutes is plenty and bounds the file and the sampling overhead. */
const MAX_CPU_PROFILE_SECONDS = 600;

const SEVERITY: Record<HealthCheckName, AlertLevel> = {
  // Past the heap limit the process is heading for an out-of-memory crash; a full disk refuses mail.
  heap: 'error',
  disk: 'error',
  // Memory and CPU pressure slow service down but lose nothing by themselves.
  memory: 'warn',
  cpu: 'warn',
};

const DESCRIBE: Record<HealthCheckName, string> = {
  heap: 'heap used over limit',
  memory: 'free system memory low',
  cpu: 'machine CPU busy',
  disk: 'data disk filling up',
};

function alertThroughLogger(logger: MinimalLogger): AlertFn {
  return (level, message, details) => logger[level](details, message);
}

export function createMonitor(options: MonitorOptions): Monitor {
  const { logger, dataDir, processName } = options;
  const thresholds: HealthThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const retention: RetentionPolicy = { ...DEFAULT_RETENTION, ...options.retention };
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 10_000;
  const heapLimitBytes =
    options.heapLimitBytes ?? Math.min(thresholds.heapUsedBytes, 0.85 * v8.getHeapStatistics().heap_size_limit);
  const heapSnapshotIntervalMs = options.heapSnapshotIntervalMs ?? 3600_000;
  const alert = options.alert ?? alertThroughLogger(logger);
  const profilesDir = profilesDirOf(dataDir);
  const evaluator = createHealthEvaluator(thresholds);
  const sampler = createHealthSampler(dataDir, now);

  let timer: NodeJS.Timeout | undefined;
  let lastSample: HealthSample | undefined;
  let lastAutoSnapshotAt = Number.NEGATIVE_INFINITY;
  let cpuProfileRunning = false;

  async function prune(): Promise<void> {
    const deleted = await pruneProfiles(profilesDir, retention, now());
    if (deleted.length > 0) logger.info({ deleted }, 'old profiles pruned');
  }

  function raise(event: HealthEvent): void {
    const details = { processName, check: event.check, value: event.value, threshold: event.threshold };
    if (event.kind === 'recovered') alert('info', `${event.check} recovered`, details);
    else alert(SEVERITY[event.check], DESCRIBE[event.check], details);
  }

  function snapshotIfHeapPastLimit(sample: HealthSample): void {
    if (sample.heapUsedBytes <= heapLimitBytes) return;
    if (now() - lastAutoSnapshotAt < heapSnapshotIntervalMs) return;
    lastAutoSnapshotAt = now();
    logger.warn({ heapUsedBytes: sample.heapUsedBytes, heapLimitBytes }, 'heap past limit; writing heap snapshot');
    monitor.writeHeapSnapshot().catch((err: unknown) => logger.error({ err }, 'automatic heap snapshot failed'));
  }

  const monitor: Monitor = {
    logger,
    processName,
    profilesDir,
    cpuProfileSeconds: options.cpuProfileSeconds ?? 30,
    get cpuProfileRunning() {
      return cpuProfileRunning;
    },
    start() {
      if (timer) return;
      collectProcessMetrics();
      timer = setInterval(() => monitor.sample(), intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    sample() {
      const sample = sampler.read();
      monitor.observe(sample);
      return sample;
    },
    observe(sample) {
      lastSample = sample;
      const events = evaluator.observe(sample);
      for (const event of events) raise(event);
      for (const check of HEALTH_CHECKS) metrics.health.set({ check }, evaluator.state(check) === 'ok' ? 1 : 0);
      snapshotIfHeapPastLimit(sample);
      return events;
    },
    status() {
      const checks = evaluator.states();
      const degraded = Object.values(checks).includes('alerting');
      return { status: degraded ? 'degraded' : 'ok', checks, sample: lastSample };
    },
    async writeHeapSnapshot() {
      const file = await writeHeapSnapshotFile(profilesDir, processName);
      logger.info({ file }, 'heap snapshot written');
      await prune();
      return file;
    },
    async writeCpuProfile(seconds = monitor.cpuProfileSeconds) {
      if (!(seconds > 0 && seconds <= MAX_CPU_PROFILE_SECONDS)) {
        throw new RangeError(
          `CPU profile length must be over 0 and at most ${MAX_CPU_PROFILE_SECONDS} s, not ${seconds}`,
        );
      }
      if (cpuProfileRunning) {
        logger.info({ seconds }, 'CPU profile already running; request ignored');
        return undefined;
      }
      cpuProfileRunning = true;
      logger.info({ seconds }, 'CPU profile started');
      try {
        const file = await writeCpuProfileFile(profilesDir, processName, seconds);
        logger.info({ file, seconds }, 'CPU profile written');
        await prune();
        return file;
      } finally {
        cpuProfileRunning = false;
      }
    },
  };
  return monitor;
}
