// bootProcess: the common start of every long-running Mailyard process, in the order each main.ts needs it.
import { type Config, ensureRuntimeFiles, loadConfig, type RuntimeFiles } from '@mailyard/config';
import type { ControlStore } from '@mailyard/control';
import { type Coordination, scopeCoordination } from '@mailyard/coordination';
import { createLogger, type Logger } from '@mailyard/logger';
import type { Mailstore } from '@mailyard/mailstore';
import { type ProcessMonitoring, startProcessMonitoring } from '@mailyard/monitor';
import { openControl, openCoordination, openMailstore } from './open-stores.js';

export interface BootOptions {
  /** PM2 process name: mx, outbound, imap, api. Names the logger and the metrics port. */
  processName: string;
  /** Open the mail store too. Default true. */
  mailstore?: boolean;
  /**
   * Health sampling, profiling triggers and /metrics on metrics.<processName>Port (default). `{ metricsPort: false }`
   * when the app serves /metrics on its own port (api); false when the process starts monitoring itself (outbound
   * does, through the jobs scheduler with its mailing alerter).
   */
  monitoring?: false | { metricsPort?: number | false };
}

export interface BootedProcess {
  config: Config;
  runtime: RuntimeFiles;
  logger: Logger;
  control: ControlStore;
  mailstore: Mailstore | undefined;
  /**
   * What the instances of this process and the other processes share (change events, failed-login and rate-limit
   * counters, locks, queue wake-ups): over Redis when redisUrl is set, else embedded (files under the data dir,
   * per-process counters). Its counters are scoped by processName: the instances of one process share them. The mail
   * store already publishes and hears its change events through it.
   */
  coordination: Coordination;
  monitoring: ProcessMonitoring | undefined;
  /** Stops monitoring, then closes the mail store, the coordination and the control store: the tail of every shutdown. */
  close(): Promise<void>;
}

/** What bootProcess returns for these options: the mail store is there unless `mailstore: false` was asked. */
export type Booted<O extends BootOptions> = O extends { mailstore: false }
  ? BootedProcess
  : BootedProcess & { mailstore: Mailstore };

/** Reads configuration, creates the logger, the data dir layout and keys, opens the stores, starts monitoring. */
export async function bootProcess<O extends BootOptions>(options: O): Promise<Booted<O>> {
  const { processName } = options;
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, name: processName });
  const runtime = await ensureRuntimeFiles(config);
  const coordination = scopeCoordination(await openCoordination(config, runtime, logger), processName);
  const control = openControl(runtime);
  const mailstore =
    options.mailstore === false ? undefined : openMailstore(config, runtime, logger, coordination.events, control);
  const monitoring =
    options.monitoring === false
      ? undefined
      : await startProcessMonitoring({ logger, config, processName, ...instanceMonitoring(config, options) });
  const booted: BootedProcess = {
    config,
    runtime,
    logger,
    control,
    mailstore,
    coordination,
    monitoring,
    async close() {
      await monitoring?.stop();
      await mailstore?.close();
      await coordination.close();
      await control.close();
    },
  };
  return booted as Booted<O>;
}

/** Instance k > 0 of a process listens for /metrics this many ports above the configured one, times k. */
export const METRICS_PORT_STEP_PER_INSTANCE = 100;

/**
 * The monitoring options of this instance. PM2 numbers the instances of a process 0..N-1 in NODE_APP_INSTANCE;
 * each needs a /metrics of its own (in cluster mode a shared port would answer from whichever instance took the
 * connection), so instance k serves it on metrics.<processName>Port + 100 k. Port 0 (tests) stays 0.
 */
export function instanceMonitoring(
  config: Config,
  options: BootOptions,
  instance = Number(process.env.NODE_APP_INSTANCE ?? 0),
): { metricsPort?: number | false } {
  const monitoring = options.monitoring === false ? {} : (options.monitoring ?? {});
  if (!(Number.isInteger(instance) && instance > 0) || monitoring.metricsPort === false) return monitoring;
  const configured = config.metrics.enabled
    ? (config.metrics as Record<string, unknown>)[`${options.processName}Port`]
    : undefined;
  const base = monitoring.metricsPort ?? (typeof configured === 'number' ? configured : undefined);
  if (base === undefined || base === 0) return monitoring;
  return { ...monitoring, metricsPort: base + METRICS_PORT_STEP_PER_INSTANCE * instance };
}
