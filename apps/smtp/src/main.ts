/**
 * The smtp processes: `node dist/main.js mx|outbound`. Boots through @mailyard/runtime (configuration, control
 * store, mail store, monitoring with /metrics and /health on metrics.<role>Port), starts the MX listener, or the
 * submission listeners with the outbound queue worker, tells PM2 it is ready, and on SIGTERM/SIGINT stops
 * accepting, lets DATA in flight (or delivery attempts) finish, stops monitoring, closes the stores and exits
 * within 30 s.
 * The outbound process serves submission (RFC 6409: smtp.submissionPort with STARTTLS, smtp.submissionTlsPort with
 * implicit TLS) beside the queue worker that delivers what it accepts, and hosts the jobs scheduler (@mailyard/jobs:
 * Bree, each run in a worker thread; health checks, cleanup, backups, DNS re-checks) and its alert path, which
 * mails through the queue this process delivers; its monitoring is the scheduler's, so health alerts are mailed
 * too. Only instance 0 runs the schedule (jobs must not run twice). A Node process of its own costs about 35 MB PSS
 * and 75 MB RSS at rest (docs/operations.md); submission shares its process with outbound, not with the MX, so
 * the internet's unauthenticated mail and the users' own keep separate processes, memory limits and in-flight
 * byte budgets: a flood on port 25 never makes a user's submission wait or fail.
 */
import { scopeCoordination } from '@mailyard/coordination';
import { ByteBudget } from '@mailyard/limits';
import { watchOutboundQueue } from '@mailyard/monitor';
import { type Booted, instanceMonitoring, runProcess } from '@mailyard/runtime';
import type { SmtpDeps } from './deps.js';
import { createSubmissionLoginGate } from './handlers/on-auth.js';
import { SMTP_LIMITS } from './limits.js';

// Each role imports only its own modules (issue 15): the MX never loads the outbound worker, the webhooks or the
// jobs scheduler (Bree), and so on; the two roles share this entry point, and a module loaded is memory kept for
// the life of the process.

const ROLES = ['mx', 'outbound'] as const;
type Role = (typeof ROLES)[number];
type BootedSmtp = Booted<{ processName: Role }>;

/** The MX listener; returns how to stop it. */
async function startMx(booted: BootedSmtp): Promise<() => Promise<void>> {
  const { config, logger } = booted;
  const { createMxServer } = await import('./mx.js');
  const mx = createMxServer(smtpDeps(booted, booted.coordination));
  const port = await mx.listen(config.smtp.mxPort, config.bind);
  logger.info({ port, bind: config.bind }, 'mx listening');
  return () => mx.close(SMTP_LIMITS.shutdownGraceMs);
}

/**
 * Submission's listeners and the outbound queue and webhook workers; returns how to stop them. Each half has a byte
 * budget of its own, half of the process's limits.inflightBytes each: a queue of large messages waiting to go out
 * never makes a user's submission wait for budget, and the two together stay within the process's budget (which the
 * ecosystem file sizes against the memory limit).
 */
async function startOutbound(booted: BootedSmtp): Promise<() => Promise<void>> {
  const { config, logger, coordination } = booted;
  const half = Math.max(1, Math.floor(config.limits.inflightBytes / 2));
  const [{ createSubmissionServer }, { createOutboundWorker }, { createWebhookWorker }] = await Promise.all([
    import('./submission.js'),
    import('./outbound/worker.js'),
    import('./webhooks/worker.js'),
  ]);
  // Submission counts failed logins and per-IP limits in a scope of its own, as when it had its own process.
  const submission = createSubmissionServer({
    ...smtpDeps(booted, scopeCoordination(coordination, 'submission')),
    logger: logger.child({ component: 'submission' }),
    budget: new ByteBudget(half),
  });
  const ports = await submission.listen(
    { starttls: config.smtp.submissionPort, implicitTls: config.smtp.submissionTlsPort },
    config.bind,
  );
  logger.info({ ...ports, bind: config.bind }, 'submission listening');
  const deps = { ...smtpDeps(booted, coordination), budget: new ByteBudget(half) };
  const worker = createOutboundWorker(deps);
  // Webhook POSTs are outbound traffic too: the same process posts them from their own durable queue.
  const webhooks = createWebhookWorker(deps);
  // This process delivers the queue, so its /metrics reports the queue's depth and bytes.
  const unwatch = watchOutboundQueue(() => deps.control.queueStats());
  worker.start();
  webhooks.start();
  logger.info('outbound worker started');
  return async () => {
    // Submission first: what it accepts while it finishes is queued, and the worker then hands back what it holds.
    await submission.close(SMTP_LIMITS.shutdownGraceMs);
    unwatch();
    await Promise.all([worker.stop(), webhooks.stop()]);
  };
}

const role = process.argv[2] as Role;
if (!ROLES.includes(role)) {
  console.error(`usage: node dist/main.js ${ROLES.join('|')}`);
  process.exit(1);
}

/** The dependencies a listener or worker builds from what the process booted, counting in `coordination`'s scope. */
function smtpDeps(
  { config, logger, control, mailstore, runtime }: BootedSmtp,
  coordination: BootedSmtp['coordination'],
): SmtpDeps {
  return {
    config,
    logger,
    control,
    mailstore,
    masterKey: runtime.masterKey,
    tls: runtime.tls,
    // Submission AUTH's failed-login gate; its counters are shared by every instance when Redis is configured
    // (coordination), else they live in this process's memory.
    loginGate: createSubmissionLoginGate(config, coordination.loginFailures),
    // Per-IP rate limits count in the scope (shared by the process's instances when Redis is configured).
    rateLimitStore: coordination.rateLimits,
    // The sending limits, counted together with the API's POST /v1/emails.
    sendingLimitStore: coordination.sharedRateLimits,
    // Enqueuers (submission, forwarding, bounces) wake the outbound workers of every instance at once.
    queueWakeups: coordination.queue,
  };
}

if (role === 'outbound') {
  // Monitoring is started by the scheduler, wired to its alerter; the process gives up a second before PM2's
  // kill_timeout, so a job cancelled at shutdown logs its end first.
  runProcess({ processName: role, monitoring: false, exitBeforeKillMs: 1000 }, async (booted) => {
    const { config, logger, control, coordination } = booted;
    const stopOutbound = await startOutbound(booted);
    const { startJobsProcess } = await import('@mailyard/jobs/scheduler');
    const instance = Number(process.env.NODE_APP_INSTANCE ?? 0);
    const jobs = await startJobsProcess({
      config,
      logger: logger.child({ component: 'jobs' }),
      control,
      processName: role,
      ...instanceMonitoring(config, { processName: role }),
      wakeOutbound: () => coordination.queue.notify(),
      // Instances past the first serve submission, deliver the queue and serve metrics, without a schedule.
      ...(instance > 0 ? { jobs: [] } : {}),
    });
    logger.info({ scheduled: instance === 0 }, 'jobs scheduler started');
    return async () => {
      await Promise.all([jobs.stop(), stopOutbound()]);
    };
  });
} else {
  runProcess({ processName: role }, startMx);
}
