// How one job run is carried out, inside its Bree worker thread: log the start, run the task, log the finish with
// its duration and summary, or classify and log the failure (@mailyard/errors: a code bug at error level with
// its stack, an expected failure briefly), then report the outcome to the scheduler thread. A failed run is not
// retried at once: the job simply runs again at its next scheduled time.
import { parentPort, workerData } from 'node:worker_threads';
import { type Config, type DeepPartial, loadConfig } from '@mailyard/config';
import { classify, isCodeBug, reportError } from '@mailyard/errors';
import { createLogger, type Logger } from '@mailyard/logger';
import type { AlertFn } from '@mailyard/monitor';

export interface JobContext {
  config: Config;
  logger: Logger;
  /** Reaches the scheduler's alert path (log, and mail to the administrator when configured). */
  alert: AlertFn;
  /** Aborted when the scheduler stops: finish the current step and return. */
  signal: AbortSignal;
}

/** A job's work; what it resolves to is logged with the finish line (counts, bytes, names). */
export type JobTask = (ctx: JobContext) => Promise<Record<string, unknown> | undefined>;

export type JobOutcome =
  | { job: string; ok: true; durationMs: number; summary: Record<string, unknown> }
  | { job: string; ok: false; durationMs: number; codeBug: boolean; errorKind: string; message: string };

/** Messages a job worker sends to the scheduler thread. */
export type WorkerMessage =
  | { type: 'outcome'; outcome: JobOutcome }
  | { type: 'alert'; level: Parameters<AlertFn>[0]; message: string; details: Record<string, unknown> };

export async function runJob(job: string, task: JobTask, ctx: JobContext): Promise<JobOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  ctx.logger.info({ job }, 'job started');
  try {
    const summary = (await task(ctx)) ?? {};
    const durationMs = elapsed();
    ctx.logger.info({ job, durationMs, ...summary }, 'job finished');
    return { job, ok: true, durationMs, summary };
  } catch (err) {
    const durationMs = elapsed();
    const codeBug = isCodeBug(err);
    const classification = reportError(ctx.logger, err, { job, durationMs, codeBug, outcome: 'job failed' });
    const message = err instanceof Error ? err.message : String(err);
    return { job, ok: false, durationMs, codeBug, errorKind: classification.kind, message };
  }
}

interface JobWorkerData {
  job?: { name?: string };
  configOverrides?: DeepPartial<Config>;
}

/** Entry point of a job worker file: `runAsWorker('cleanup-tmp', cleanupTmpTask)`. Starts nothing off a worker. */
export function runAsWorker(job: string, task: JobTask): void {
  const port = parentPort;
  if (!port) return;
  const data = (workerData ?? {}) as JobWorkerData;
  const config = loadConfig(data.configOverrides ? { overrides: data.configOverrides } : {});
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, name: 'jobs' }).child({
    component: 'jobs',
    job,
  });
  const controller = new AbortController();
  port.on('message', (message: unknown) => {
    if (message !== 'cancel') return;
    controller.abort();
    port.postMessage('cancelled');
  });
  const alert: AlertFn = (level, message, details) =>
    port.postMessage({ type: 'alert', level, message, details: { job, ...details } } satisfies WorkerMessage);
  runJob(job, task, { config, logger, alert, signal: controller.signal })
    .catch((err: unknown): JobOutcome => {
      const c = classify(err);
      return { job, ok: false, durationMs: 0, codeBug: isCodeBug(err), errorKind: c.kind, message: String(err) };
    })
    .then((outcome) => {
      port.postMessage({ type: 'outcome', outcome } satisfies WorkerMessage);
      port.postMessage('done');
    });
}
