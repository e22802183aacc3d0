/**
 * The smtp processes: `node dist/main.js mx|submission|outbound`. Boots through @mailyard/runtime (configuration,
 * control store, mail store, monitoring with /metrics and /health on metrics.<role>Port), starts the MX listener,
 * the submission listeners or the outbound queue worker, tells PM2 it is ready, and on SIGTERM/SIGINT stops
 * accepting, lets DATA in flight (or delivery attempts) finish, stops monitoring, closes the stores and exits
 * within 30 s.
 * The outbound process also hosts the jobs scheduler (@mailyard/jobs: Bree, each run in a worker thread; health
 * checks, cleanup, backups, DNS re-checks) and its alert path, which mails through the queue this process
 * delivers; its monitoring is the scheduler's, so health alerts are mailed too. Only instance 0 runs the schedule
 * (jobs must not run twice); a Node process of its own cost 35-40 MB PSS at rest for a scheduler that is idle
 * between runs.
 */
import { watchOutboundQueue } from '@mailyard/monitor';
import { type Booted, instanceMonitoring, runProcess } from '@mailyard/runtime';
import type { SmtpDeps } from './deps.js';
import { createSubmissionLoginGate } from './handlers/on-auth.js';
import { SMTP_LIMITS } from './limits.js';

// Each role imports only its own modules (issue 15): the MX never loads the outbound worker, the webhooks or the
// jobs scheduler (Bree), the outbound process never loads smtp-server, and so on; the three roles share this entry
// point, and a module loaded is memory kept for the life of the process.

const ROLES = ['mx', 'submission', 'outbound'] as const;
type Role = (typeof ROLES)[number];

/** Starts the role and returns how to stop it. */
async function start(role: Role, deps: SmtpDeps): Promise<() => Promise<void>> {
  const { config, logger } = deps;
  if (role === 'mx') {
    const { createMxServer } = await import('./mx.js');
    const mx = createMxServer(deps);
    const port = await mx.listen(config.smtp.mxPort, config.bind);
    logger.info({ port, bind: config.bind }, 'mx listening');
    return () => mx.close(SMTP_LIMITS.shutdownGraceMs);
  }
  if (role === 'submission') {
    const { createSubmissionServer } = await import('./submission.js');
    const submission = createSubmissionServer(deps);
    const ports = await submission.listen(
      { starttls: config.smtp.submissionPort, implicitTls: config.smtp.submissionTlsPort },
      config.bind,
    );
    logger.info({ ...ports, bind: config.bind }, 'submission listening');
    return () => submission.close(SMTP_LIMITS.shutdownGraceMs);
  }
  const [{ createOutboundWorker }, { createWebhookWorker }] = await Promise.all([
    import('./outbound/worker.js'),
    import('./webhooks/worker.js'),
  ]);
  const worker = createOutboundWorker(deps);
  // Webhook POSTs are outbound traffic too: the same process posts them from their own durable queue.
  const webhooks = createWebhookWorker(deps);
  // This process delivers the queue, so its /metrics reports the queue's depth and bytes.
  const unwatch = watchOutboundQueue(() => deps.control.queueStats());
  worker.start();
  webhooks.start();
  logger.info('outbound worker started');
  return async () => {
    unwatch();
    await Promise.all([worker.stop(), webhooks.stop()]);
  };
}

const role = process.argv[2] as Role;
if (!ROLES.includes(role)) {
  console.error(`usage: node dist/main.js ${ROLES.join('|')}`);
  process.exit(1);
}
/** The dependencies every role builds from what the process booted. */
function smtpDeps({
  config,
  logger,
  control,
  mailstore,
  runtime,
  coordination,
}: Booted<{ processName: Role }>): SmtpDeps {
  // One failed-login gate per process (submission AUTH); its counters are shared by every instance when Redis is
  // configured (coordination), else they live in this process's memory.
  const loginGate = createSubmissionLoginGate(config, coordination.loginFailures);
  return {
    config,
    logger,
    control,
    mailstore,
    masterKey: runtime.masterKey,
    tls: runtime.tls,
    loginGate,
    // Per-IP rate limits count in this process's scope (shared by its instances when Redis is configured).
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
    const stopWorker = await start(role, smtpDeps(booted));
    const { startJobsProcess } = await import('@mailyard/jobs/scheduler');
    const instance = Number(process.env.NODE_APP_INSTANCE ?? 0);
    const jobs = await startJobsProcess({
      config,
      logger: logger.child({ component: 'jobs' }),
      control,
      processName: role,
      ...instanceMonitoring(config, { processName: role }),
      wakeOutbound: () => coordination.queue.notify(),
      // Instances past the first deliver the queue and serve metrics, without a schedule.
      ...(instance > 0 ? { jobs: [] } : {}),
    });
    logger.info({ scheduled: instance === 0 }, 'jobs scheduler started');
    return async () => {
      await Promise.all([jobs.stop(), stopWorker()]);
    };
  });
} else {
  runProcess({ processName: role }, (booted) => start(role, smtpDeps(booted)));
}
