// startProcessMonitoring: what every Mailyard process calls once in main.ts, after its logger and configuration
// exist and before it listens: health sampling with the configured thresholds, the profiling triggers (SIGUSR2,
// request files) and, for processes without an HTTP port of their own (mx, imap, outbound), a metrics
// listener on metrics.<processName>Port serving /metrics and /health. The api process serves those paths on its
// own port (it passes metricsPort: false). The configuration is taken structurally, so this package does not
// depend on @mailyard/config.

import type { MinimalLogger } from '@mailyard/errors';
import { createMetricsServer, type MetricsServer } from './metrics-server.js';
import { type AlertFn, createMonitor, type Monitor } from './monitor.js';
import { installProfilingSignals } from './profiling-triggers.js';

/** The settings read here; @mailyard/config's Config satisfies it. */
export interface ProcessMonitoringConfig {
  dataDir: string;
  bind: string;
  monitor: {
    sampleIntervalMs: number;
    heapLimitBytes: number;
    freeMemoryPercent: number;
    cpuPercent: number;
    diskPercent: number;
    consecutiveSamples: number;
    profileSeconds: number;
    profileRetentionMs: number;
  };
  metrics: { enabled: boolean } & Partial<Record<`${string}Port`, number>>;
}

export interface ProcessMonitoringOptions {
  logger: MinimalLogger;
  config: ProcessMonitoringConfig;
  /** PM2 process name: mx, outbound, imap, api. */
  processName: string;
  /** Where health alerts go; default the logger. The jobs process passes its mailing alerter. */
  alert?: AlertFn;
  /** Metrics port; default config.metrics.<processName>Port when metrics are enabled; false: no listener. */
  metricsPort?: number | false;
}

export interface ProcessMonitoring {
  monitor: Monitor;
  metricsServer: MetricsServer | undefined;
  /** Stops sampling, removes the signal handler and closes the metrics listener. Idempotent. */
  stop(): Promise<void>;
}

function metricsPortOf(options: ProcessMonitoringOptions): number | undefined {
  if (options.metricsPort === false) return undefined;
  if (options.metricsPort !== undefined) return options.metricsPort;
  if (!options.config.metrics.enabled) return undefined;
  return options.config.metrics[`${options.processName}Port`];
}

export async function startProcessMonitoring(options: ProcessMonitoringOptions): Promise<ProcessMonitoring> {
  const { logger, config, processName } = options;
  const settings = config.monitor;
  const monitor = createMonitor({
    logger,
    dataDir: config.dataDir,
    processName,
    intervalMs: settings.sampleIntervalMs,
    heapLimitBytes: settings.heapLimitBytes,
    cpuProfileSeconds: settings.profileSeconds,
    retention: { maxAgeMs: settings.profileRetentionMs },
    thresholds: {
      heapUsedBytes: settings.heapLimitBytes,
      freeMemoryPercent: settings.freeMemoryPercent,
      cpuPercent: settings.cpuPercent,
      diskUsedPercent: settings.diskPercent,
      consecutiveSamples: settings.consecutiveSamples,
    },
    ...(options.alert ? { alert: options.alert } : {}),
  });
  const uninstall = installProfilingSignals(monitor);
  monitor.start();
  const port = metricsPortOf(options);
  let metricsServer: MetricsServer | undefined;
  try {
    metricsServer = port === undefined ? undefined : await createMetricsServer({ port, host: config.bind });
  } catch (err) {
    monitor.stop();
    uninstall();
    throw err;
  }
  if (metricsServer) logger.info({ port: metricsServer.port, processName }, 'metrics listening');
  let stopping: Promise<void> | undefined;
  return {
    monitor,
    metricsServer,
    stop() {
      stopping ??= (async () => {
        monitor.stop();
        uninstall();
        await metricsServer?.close();
      })();
      return stopping;
    },
  };
}
