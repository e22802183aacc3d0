/**
 * @mailyard/monitor — health sampling, profiling on demand and the Prometheus metric catalogue of every
 * Mailyard process.
 *
 * Health. createMonitor() samples every 10 s (intervalMs) on an unref'd timer: V8 heap used, free system memory,
 * CPU of this process and of the machine (time deltas as a percentage of all cores), and the file system holding
 * the data directory (statfs, as `df` computes Use%). Checks and default thresholds (docs/architecture.md):
 *   heap    used heap over 2 GiB                 alert level error
 *   memory  free system memory at or under 25%   alert level warn
 *   cpu     machine CPU at or over 80%           alert level warn
 *   disk    data file system at or over 75%      alert level error
 * A check alerts after two samples in a row past its threshold, once per episode, and recovers (an `info`
 * alert) after two samples in a row back within it. Alerts go to the injected alert(level, message, details),
 * by default the logger. mailyard_health{check} is 1 while a check is ok and 0 while it alerts.
 * When the used heap passes heapLimitBytes (default 2 GiB, or 85% of V8's heap limit when lower) a heap snapshot
 * is written, at most once an hour.
 *
 * Profiling on demand (installProfilingSignals(monitor) returns its uninstaller):
 *   CPU profile    `kill -USR2 <pid>` or `pm2 sendSignal SIGUSR2 <name>` records cpuProfileSeconds (default 30)
 *                  through node:inspector's Profiler. A SIGUSR2 while a profile runs is ignored with a log line.
 *   heap snapshot  `touch <dataDir>/profiles/heapsnapshot.<pid>.request` (or heapsnapshot.<pm2 name>.request).
 *                  The process notices the file at once (a watch on the directory; else within 60 s), deletes
 *                  it and writes the snapshot. A file, not a
 *                  signal: SIGUSR1 is Node's own (it opens the inspector); SIGWINCH arrives on every terminal
 *                  resize; SIGHUP and SIGINT are hang-up and stop. A file also works through PM2, on any
 *                  platform, and from another container sharing the data volume.
 *                  `cpuprofile.<pid|name>.request` starts a CPU profile the same way where signals are missing.
 * Install the signal handler early: until it is installed, SIGUSR2's default action ends the process.
 *
 * On disk: <dataDir>/profiles/<processName>-<pid>-<UTC timestamp>.heapsnapshot | .cpuprofile, written under a
 * .tmp name and renamed. Both open in Chrome DevTools and cpupro. After each write, profile files older than
 * 24 h (retention.maxAgeMs) are deleted, then the oldest beyond 20 files (retention.maxFiles), counted across
 * every process sharing the directory. Writing a heap snapshot stops the event loop and needs memory of the
 * order of the heap again; start Node with --heapsnapshot-near-heap-limit if the heap limit is close to V8's own.
 *
 * Metrics. `registry` is a prom-client Registry of our own (not prom-client's global one, so no dependency can
 * add to or break it). `metrics` is the whole catalogue, defined here once (STYLE.md §11); apps import it and
 * never declare metrics of their own. Process metrics (prom-client defaults) start on the first
 * collectProcessMetrics(), monitor.start() or createMetricsServer(). metricsText() renders the registry;
 * createMetricsServer({ port, host }) serves GET /metrics and GET /health (JSON from healthStatus()).
 *
 * One call per process: startProcessMonitoring({ logger, config, processName }) in main.ts does all of the above
 * with the configured thresholds and serves /metrics and /health on metrics.<processName>Port (mx, imap,
 * outbound; the api process passes metricsPort: false and mounts monitoringEndpoints, the same two routes as
 * middleware on its own HTTP port).
 *
 * Invariants: importing this module starts no timer, handler or observer; every timer is unref'd, so monitoring
 * never keeps a process alive.
 */

export { type QueueSnapshot, type WatchedBudget, watchByteBudget, watchOutboundQueue } from './gauge-sources.js';
export {
  DEFAULT_THRESHOLDS,
  type DiskUsage,
  HEALTH_CHECKS,
  type HealthCheckName,
  type HealthEvent,
  type HealthSample,
  type HealthThresholds,
} from './health-checks.js';
export { type MonitoringHttpContext, monitoringEndpoints } from './http-endpoints.js';
export {
  type CommandResult,
  collectProcessMetrics,
  type HealthStatus,
  healthStatus,
  type MessageDirection,
  metrics,
  metricsContentType,
  metricsText,
  registry,
} from './metrics.js';
export { createMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server.js';
export {
  type AlertFn,
  type AlertLevel,
  createMonitor,
  type HealthReport,
  type Monitor,
  type MonitorOptions,
} from './monitor.js';
export {
  type ProcessMonitoring,
  type ProcessMonitoringConfig,
  type ProcessMonitoringOptions,
  startProcessMonitoring,
} from './process-monitoring.js';
export { DEFAULT_RETENTION, pruneProfiles, type RetentionPolicy } from './profiles.js';
export { installProfilingSignals, type ProfilingTriggerOptions, requestFilePath } from './profiling-triggers.js';
export {
  countConnections,
  type HttpMetricsContext,
  httpMetrics,
  httpResult,
  openConnection,
  readMetric,
  timeCommand,
} from './protocol-metrics.js';
