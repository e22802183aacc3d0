/**
 * The api process: boots through @mailyard/runtime (configuration, control store, mail store, monitoring; /metrics
 * and /health are served by the app itself), listens on api.port at config.bind, tells PM2 it is ready, and shuts
 * down gracefully on SIGTERM/SIGINT (at most 30 s). POST /v1/emails sends through @mailyard/smtp's submission
 * flow, built here from the same stores and master key as the SMTP processes.
 */
import { LoginGate } from '@mailyard/limits';
import { runProcess } from '@mailyard/runtime';
import { createMessageSender } from '@mailyard/smtp';
import { createApiServer, DEFAULT_PASSWORD_GATE } from './app.js';

// No metrics listener of its own: /metrics and /health are routes of the app on api.port.
runProcess(
  { processName: 'api', monitoring: { metricsPort: false } },
  async ({ config, logger, control, mailstore, runtime, coordination }) => {
    // Failed-login and request counters shared by every instance when Redis is configured (coordination).
    const loginGate = new LoginGate({ ...DEFAULT_PASSWORD_GATE, store: coordination.loginFailures });
    const rateLimitStore = coordination.rateLimits;
    // POST /v1/emails queues remote recipients: the outbound workers are woken at once (coordination.queue).
    const sender = createMessageSender({
      config,
      logger,
      control,
      mailstore,
      masterKey: runtime.masterKey,
      // The sending limits, counted together with SMTP submission's.
      sendingLimitStore: coordination.sharedRateLimits,
      queueWakeups: coordination.queue,
    });
    const api = createApiServer({ config, logger, control, mailstore, loginGate, rateLimitStore, sender });
    const port = await api.listen(config.api.port);
    logger.info({ port, bind: config.bind }, 'api listening');
    return () => api.close();
  },
);
