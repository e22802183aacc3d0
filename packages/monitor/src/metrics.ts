// The Prometheus metric catalogue: every metric any Mailyard process exports is defined here, once
// (STYLE.md §11), in one prom-client Registry of our own rather than prom-client's global one, so a dependency
// that registers metrics globally cannot change or break what /metrics serves, and names cannot collide.
// Defining the metrics starts nothing; process metrics (CPU, memory, event-loop lag, GC) begin to be collected
// when collectProcessMetrics() is first called, which createMonitor().start() and createMetricsServer() do.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { budgetBytesInUse, queueSnapshot } from './gauge-sources.js';
import { HEALTH_CHECKS } from './health-checks.js';

export const registry = new Registry();
const registers = [registry];

/** Seconds; spans a cached FETCH (1 ms) to a slow DATA or large APPEND (tens of seconds). */
const COMMAND_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds; jobs run from a quick DNS re-check to an hour-long backup. */
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

export type MessageDirection = 'accepted' | 'delivered' | 'bounced' | 'rejected';
export type CommandResult = 'ok' | 'no' | 'bad' | 'error';

export const metrics = {
  /** Open client connections. protocol: smtp, submission, imap, pop3, api, web. */
  connections: new Gauge<'protocol'>({
    name: 'mailyard_connections',
    help: 'Open client connections by protocol',
    labelNames: ['protocol'],
    registers,
  }),
  /** Protocol commands handled. result: ok, no (user error), bad (syntax error), error (server bug). */
  commands: new Counter<'protocol' | 'command' | 'result'>({
    name: 'mailyard_commands_total',
    help: 'Protocol commands handled, by protocol, command and result (ok, no, bad, error)',
    labelNames: ['protocol', 'command', 'result'],
    registers,
  }),
  commandSeconds: new Histogram<'protocol' | 'command' | 'result'>({
    name: 'mailyard_command_seconds',
    help: 'Time to handle a protocol command, in seconds',
    labelNames: ['protocol', 'command', 'result'],
    buckets: COMMAND_BUCKETS,
    registers,
  }),
  /** accepted: taken in by SMTP; delivered: stored or relayed; bounced: DSN sent; rejected: refused in SMTP. */
  messages: new Counter<'direction'>({
    name: 'mailyard_messages_total',
    help: 'Messages by direction: accepted, delivered, bounced, rejected',
    labelNames: ['direction'],
    registers,
  }),
  /** The spam filter's decision per inbound message (accept, junk, reject, defer). */
  spamVerdicts: new Counter<'action'>({
    name: 'mailyard_spam_verdicts_total',
    help: 'Inbound messages by spam verdict: accept, junk, reject, defer',
    labelNames: ['action'],
    registers,
  }),
  /** What Sieve scripts decided at delivery, per action: keep (implicit too), fileinto, redirect, reject, discard, vacation. */
  sieveActions: new Counter<'action'>({
    name: 'mailyard_sieve_actions_total',
    help: 'Actions Sieve scripts took at delivery: keep, fileinto, redirect, reject, discard, vacation',
    labelNames: ['action'],
    registers,
  }),
  /** Scripts that failed at delivery (the message is kept): runtime (an engine limit, conflicting actions), syntax. */
  sieveErrors: new Counter<'reason'>({
    name: 'mailyard_sieve_errors_total',
    help: 'Sieve scripts that failed at delivery, by reason: runtime (a limit or conflicting actions), syntax',
    labelNames: ['reason'],
    registers,
  }),
  queueDepth: new Gauge({
    name: 'mailyard_queue_depth',
    help: 'Messages waiting in the outbound queue',
    registers,
    /** Read at scrape time from the queue source the outbound process registers (watchOutboundQueue). */
    async collect() {
      const snapshot = await queueSnapshot();
      if (snapshot) this.set(snapshot.messages);
    },
  }),
  queueBytes: new Gauge({
    name: 'mailyard_queue_bytes',
    help: 'Bytes of messages waiting in the outbound queue',
    registers,
    async collect() {
      const snapshot = await queueSnapshot();
      if (snapshot) this.set(snapshot.bytes);
    },
  }),
  byteBudgetInUse: new Gauge({
    name: 'mailyard_byte_budget_in_use_bytes',
    help: 'Bytes reserved from the in-flight message byte budget',
    registers,
    /** The sum over this process's budgets (watchByteBudget), read at scrape time. */
    collect() {
      this.set(budgetBytesInUse());
    },
  }),
  mailboxOpens: new Counter({
    name: 'mailyard_mailbox_opens_total',
    help: 'Mailbox databases opened (a cache miss in the open-handle LRU)',
    registers,
  }),
  jobRuns: new Counter<'job' | 'result'>({
    name: 'mailyard_job_runs_total',
    help: 'Background job runs by job and result (ok, error)',
    labelNames: ['job', 'result'],
    registers,
  }),
  jobSeconds: new Histogram<'job'>({
    name: 'mailyard_job_seconds',
    help: 'Background job run time, in seconds',
    labelNames: ['job'],
    buckets: JOB_BUCKETS,
    registers,
  }),
  /** 1 while a health check is ok, 0 while it is alerting. check: heap, memory, cpu, disk. */
  health: new Gauge<'check'>({
    name: 'mailyard_health',
    help: 'Health checks: 1 ok, 0 alerting (check: heap, memory, cpu, disk)',
    labelNames: ['check'],
    registers,
  }),
  authFailures: new Counter<'protocol'>({
    name: 'mailyard_auth_failures_total',
    help: 'Failed authentication attempts by protocol',
    labelNames: ['protocol'],
    registers,
  }),
} as const;

let processMetricsStarted = false;

/**
 * Event-loop delay sampling period of the process metrics. prom-client's default, 10 ms, is a libuv timer waking
 * every process 100 times a second: about 0.6% of a core each, at rest (issue 15: 8 processes, 5% of a core).
 * Sampled once a second, a stall still shows in the lag figures (each sample is how late that wake-up came).
 */
const EVENT_LOOP_SAMPLE_MS = 1000;

/** Starts prom-client's default process metrics on our registry. Idempotent. */
export function collectProcessMetrics(): void {
  if (processMetricsStarted) return;
  processMetricsStarted = true;
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
}

/** The registry in the Prometheus text exposition format. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}

export const metricsContentType = registry.contentType;

export interface HealthStatus {
  status: 'ok' | 'degraded';
  checks: Partial<Record<(typeof HEALTH_CHECKS)[number], 'ok' | 'alerting'>>;
}

/** Health as last recorded in mailyard_health; checks no monitor has sampled yet are absent. */
export async function healthStatus(): Promise<HealthStatus> {
  const { values } = await metrics.health.get();
  const checks: HealthStatus['checks'] = {};
  for (const { labels, value } of values) {
    const check = HEALTH_CHECKS.find((c) => c === labels.check);
    if (check) checks[check] = value === 1 ? 'ok' : 'alerting';
  }
  const degraded = Object.values(checks).includes('alerting');
  return { status: degraded ? 'degraded' : 'ok', checks };
}
