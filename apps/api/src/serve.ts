// The REST API as a service of the process that hosts it: the api process, whose entry point
// (apps/web/src/main.ts) serves the dashboard beside it. Built from what that process booted; POST /v1/emails
// sends through @mailyard/smtp's submission flow, made here from the same stores and master key as the SMTP
// processes.
import { LoginGate } from '@mailyard/limits';
import type { Booted } from '@mailyard/runtime';
import { createMessageSender, type MessageSender } from '@mailyard/smtp/sender';
import { createApiServer, DEFAULT_PASSWORD_GATE } from './app.js';

/**
 * The sender of the api process (POST /v1/emails, recipient verification emails), also handed to the dashboard
 * that runs in the same process.
 */
export function createApiSender({
  config,
  logger,
  control,
  mailstore,
  runtime,
  coordination,
}: Booted<{ processName: string }>): MessageSender {
  // POST /v1/emails queues remote recipients: the outbound workers are woken at once (coordination.queue).
  return createMessageSender({
    config,
    logger,
    control,
    mailstore,
    masterKey: runtime.masterKey,
    // The sending limits, counted together with SMTP submission's.
    sendingLimitStore: coordination.sharedRateLimits,
    queueWakeups: coordination.queue,
  });
}

/** Listens on api.port at config.bind; resolves with how to stop (finish requests in flight, then close). */
export async function serveApi(
  booted: Booted<{ processName: string }>,
  sender: MessageSender = createApiSender(booted),
): Promise<() => Promise<void>> {
  const { config, logger, control, mailstore, coordination } = booted;
  // Failed-login and request counters shared by every instance when Redis is configured (coordination).
  const loginGate = new LoginGate({ ...DEFAULT_PASSWORD_GATE, store: coordination.loginFailures });
  const rateLimitStore = coordination.rateLimits;
  const api = createApiServer({ config, logger, control, mailstore, loginGate, rateLimitStore, sender });
  const port = await api.listen(config.api.port);
  logger.info({ port, bind: config.bind }, 'api listening');
  return async () => {
    await api.close();
  };
}
