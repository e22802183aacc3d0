// The jobs scheduler as a factory: the alert path, monitoring (health, profiling triggers, /metrics) and the Bree
// scheduler. The outbound process hosts it (apps/smtp's main.ts, instance 0 only runs the schedule: jobs must not
// run twice); tests start it with their own job list and port 0.
import type { Config } from '@mailyard/config';
import type { ControlStore } from '@mailyard/control';
import type { Logger } from '@mailyard/logger';
import { type ProcessMonitoring, startProcessMonitoring } from '@mailyard/monitor';
import { type AlertFn, createAlerter } from './alert.js';
import { scheduledJobs } from './job-definitions.js';
import type { JobOutcome } from './job-runtime.js';
import { createScheduler, type JobDefinition, type Scheduler } from './scheduler.js';

export interface JobsDeps {
  config: Config;
  logger: Logger;
  /** The PM2 process hosting the scheduler: names its alerts and its metrics port. Default 'outbound'. */
  processName?: string;
  /** Control store for mailing alerts through the outbound queue; without it alerts are only logged. */
  control?: Pick<ControlStore, 'enqueue'>;
  /** Called after an alert mail is queued, to wake the outbound workers at once (a Coordination's queue.notify). */
  wakeOutbound?: () => void;
  /** Default: scheduledJobs(config). */
  jobs?: readonly JobDefinition[];
  /** Default: apps/jobs/dist/jobs. */
  jobsRoot?: string;
  workerData?: Record<string, unknown>;
  /** Default: config.metrics.<processName>Port when metrics are enabled. */
  metricsPort?: number | false;
  onOutcome?: (outcome: JobOutcome) => void;
}

export interface JobsProcess {
  alert: AlertFn;
  scheduler: Scheduler;
  monitoring: ProcessMonitoring;
  /** Stops the scheduler (running jobs are cancelled) and monitoring. */
  stop(): Promise<void>;
}

export async function startJobsProcess(deps: JobsDeps): Promise<JobsProcess> {
  const { config, logger, control } = deps;
  const processName = deps.processName ?? 'outbound';
  const alert = createAlerter({
    logger,
    hostname: config.hostname,
    processName,
    ...(config.alerts.adminEmail ? { adminEmail: config.alerts.adminEmail } : {}),
    ...(control
      ? {
          enqueue: async (item) => {
            const queued = await control.enqueue(item);
            deps.wakeOutbound?.();
            return queued;
          },
        }
      : {}),
  });
  const monitoring = await startProcessMonitoring({
    logger,
    config,
    processName,
    alert,
    ...(deps.metricsPort !== undefined ? { metricsPort: deps.metricsPort } : {}),
  });
  const scheduler = createScheduler({
    logger,
    alert,
    jobs: deps.jobs ?? scheduledJobs(config),
    ...(deps.jobsRoot ? { root: deps.jobsRoot } : {}),
    ...(deps.workerData ? { workerData: deps.workerData } : {}),
    ...(deps.onOutcome ? { onOutcome: deps.onOutcome } : {}),
  });
  try {
    await scheduler.start();
  } catch (err) {
    await monitoring.stop();
    throw err;
  }
  return {
    alert,
    scheduler,
    monitoring,
    async stop() {
      await scheduler.stop();
      await monitoring.stop();
    },
  };
}
