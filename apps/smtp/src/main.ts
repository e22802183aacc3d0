/**
 * The smtp processes: `node dist/main.js mx|submission|outbound`. Boots through @mailyard/runtime (configuration,
 * control store, mail store, monitoring with /metrics and /health on metrics.<role>Port), starts the MX listener,
 * the submission listeners or the outbound queue worker, tells PM2 it is ready, and on SIGTERM/SIGINT stops
 * accepting, lets DATA in flight (or delivery attempts) finish, stops monitoring, closes the stores and exits
 * within 30 s.
 */
import { watchOutboundQueue } from '@mailyard/monitor';
import { runProcess } from '@mailyard/runtime';
import type { SmtpDeps } from './deps.js';
import { createSubmissionLoginGate } from './handlers/on-auth.js';
import { SMTP_LIMITS } from './limits.js';
import { createMxServer } from './mx.js';
import { createOutboundWorker } from './outbound/worker.js';
import { createSubmissionServer } from './submission.js';
import { createWebhookWorker } from './webhooks/worker.js';

const ROLES = ['mx', 'submission', 'outbound'] as const;
type Role = (typeof ROLES)[number];

/** Starts the role and returns how to stop it. */
async function start(role: Role, deps: SmtpDeps): Promise<() => Promise<void>> {
  const { config, logger } = deps;
  if (role === 'mx') {
    const mx = createMxServer(deps);
    const port = await mx.listen(config.smtp.mxPort, config.bind);
    logger.info({ port, bind: config.bind }, 'mx listening');
    return () => mx.close(SMTP_LIMITS.shutdownGraceMs);
  }
  if (role === 'submission') {
    const submission = createSubmissionServer(deps);
    const ports = await submission.listen(
      { starttls: config.smtp.submissionPort, implicitTls: config.smtp.submissionTlsPort },
      config.bind,
    );
    logger.info({ ...ports, bind: config.bind }, 'submission listening');
    return () => submission.close(SMTP_LIMITS.shutdownGraceMs);
  }
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
runProcess({ processName: role }, ({ config, logger, control, mailstore, runtime, coordination }) => {
  // One failed-login gate per process (submission AUTH); its counters are shared by every instance when Redis is
  // configured (coordination), else they live in this process's memory.
  const loginGate = createSubmissionLoginGate(config, coordination.loginFailures);
  // Per-IP rate limits count in this process's scope (shared by its instances when Redis is configured).
  const rateLimitStore = coordination.rateLimits;
  return start(role, {
    config,
    logger,
    control,
    mailstore,
    masterKey: runtime.masterKey,
    tls: runtime.tls,
    loginGate,
    rateLimitStore,
    // The sending limits, counted together with the API's POST /v1/emails.
    sendingLimitStore: coordination.sharedRateLimits,
    // Enqueuers (submission, forwarding, bounces) wake the outbound workers of every instance at once.
    queueWakeups: coordination.queue,
  });
});
