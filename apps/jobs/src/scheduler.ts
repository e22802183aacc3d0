// The Bree scheduler of the jobs process. Each job is a built worker file (dist/jobs/<name>.js) run in a worker
// thread on its interval. Bree never starts a job whose previous run is still going (it logs a warning and skips
// that tick); a run past its time limit is terminated and counts as failed. Outcomes reported by the workers
// become metrics (mailyard_job_runs_total, mailyard_job_seconds) and, for failures, alerts. A worker that crashes
// outside the job runtime (an uncaught error, a non-zero exit) is classified here, where the error arrives.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCodeBug, reportError, TimeoutError } from '@mailyard/errors';
import type { Logger } from '@mailyard/logger';
import { type AlertFn, metrics } from '@mailyard/monitor';
import Bree from 'bree';
import type { JobOutcome, WorkerMessage } from './job-runtime.js';

export interface JobDefinition {
  /** Job name, and its worker file name without extension under the jobs root. */
  name: string;
  /** Time between runs. */
  intervalMs: number;
  /** Delay before the first run after start; false: the first run waits a whole interval. */
  firstRunMs: number | false;
  /** A run still going after this long is terminated and counted as failed. */
  maxRunMs: number;
}

export interface SchedulerOptions {
  logger: Logger;
  alert: AlertFn;
  jobs: readonly JobDefinition[];
  /** Directory of the built worker files. Default: apps/jobs/dist/jobs. */
  root?: string;
  /** Passed to every worker as workerData.configOverrides (tests point workers at their data dir). */
  workerData?: Record<string, unknown>;
  /** Told about every outcome (tests wait on it). */
  onOutcome?: (outcome: JobOutcome) => void;
}

export interface Scheduler {
  start(): Promise<void>;
  /** Asks running jobs to cancel, waits for their workers to end, and clears every timer. */
  stop(): Promise<void>;
  /** Runs one job now unless it is already running. */
  run(name: string): Promise<void>;
  isRunning(name: string): boolean;
}

/** apps/jobs/dist/jobs, from this file in src/ or in dist/. */
export const DEFAULT_JOBS_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'jobs');

function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && 'type' in message;
}

function breeLogger(logger: Logger) {
  const log = (level: 'info' | 'warn' | 'error') => (message: unknown, meta?: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    logger[level === 'info' ? 'debug' : level]({ component: 'bree', ...(meta as object) }, text);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { logger, alert } = options;

  function recordOutcome(outcome: JobOutcome): void {
    metrics.jobRuns.inc({ job: outcome.job, result: outcome.ok ? 'ok' : 'error' });
    metrics.jobSeconds.observe({ job: outcome.job }, outcome.durationMs / 1000);
    if (!outcome.ok) {
      alert(outcome.codeBug ? 'error' : 'warn', `job ${outcome.job} failed`, {
        job: outcome.job,
        errorKind: outcome.errorKind,
        codeBug: outcome.codeBug,
        error: outcome.message,
      });
    }
    options.onOutcome?.(outcome);
  }

  function onWorkerMessage(meta: { name: string; message: unknown }): void {
    const { message } = meta;
    if (!isWorkerMessage(message)) return;
    if (message.type === 'alert') alert(message.level, message.message, message.details);
    else recordOutcome(message.outcome);
  }

  /** Per job: when its current worker started, and whether that run already reported a failure. */
  const runs = new Map<string, { startedAt: number; failed: boolean }>();
  const maxRunMs = new Map(options.jobs.map((job) => [job.name, job.maxRunMs]));

  function recordCrash(job: string, error: unknown): void {
    const codeBug = isCodeBug(error);
    const classification = reportError(logger, error, { job, codeBug, outcome: 'job worker crashed' });
    recordOutcome({
      job,
      ok: false,
      durationMs: Math.round(performance.now() - (runs.get(job)?.startedAt ?? performance.now())),
      codeBug,
      errorKind: classification.kind,
      message: error instanceof Error ? error.message : String(error),
    });
  }

  /**
   * Bree reports an uncaught error in a worker, then its non-zero exit, through this one handler. The exit of a
   * run that already failed is not counted twice; an exit after maxRunMs is the time limit's termination.
   */
  function onWorkerError(error: unknown, meta: { name?: string }): void {
    const job = meta.name ?? 'unknown';
    const run = runs.get(job);
    const isExit = error instanceof Error && /exited with code/.test(error.message);
    if (isExit && run?.failed) return;
    if (run) run.failed = true;
    const limit = maxRunMs.get(job);
    const overran = run !== undefined && limit !== undefined && performance.now() - run.startedAt >= limit;
    recordCrash(job, isExit && overran ? new TimeoutError(`job ${job}`, limit) : error);
  }

  const bree = new Bree({
    root: options.root ?? DEFAULT_JOBS_ROOT,
    defaultExtension: 'js',
    logger: breeLogger(logger),
    jobs: options.jobs.map((job) => ({
      name: job.name,
      interval: job.intervalMs,
      timeout: job.firstRunMs,
      closeWorkerAfterMs: job.maxRunMs,
    })),
    worker: { workerData: options.workerData ?? {} },
    workerMessageHandler: onWorkerMessage,
    errorHandler: onWorkerError,
  });

  bree.on('worker created', (name: string) => runs.set(name, { startedAt: performance.now(), failed: false }));

  return {
    start: () => bree.start(),
    stop: () => bree.stop(),
    run: (name) => bree.run(name),
    isRunning: (name) => bree.workers.has(name),
  };
}
