/**
 * The pop3 process: boots through @mailyard/runtime (configuration, control store, mail store, monitoring with
 * /metrics and /health on metrics.pop3Port), listens on pop3.port (STLS) and pop3.tlsPort (implicit TLS) at
 * config.bind, tells PM2 it is ready, and shuts down gracefully on SIGTERM/SIGINT: stop accepting, let sessions
 * finish (at most 20 s), stop monitoring, close the stores, exit within 30 s.
 */
import { listenWithImplicitTls, runProcess } from '@mailyard/runtime';
import { POP3_LIMITS } from './limits.js';
import { createPop3Server } from './server.js';
import { createPop3Limits } from './session-limits.js';

runProcess({ processName: 'pop3' }, async ({ config, logger, control, mailstore, runtime, coordination }) => {
  // One failed-login gate for both listeners; its counters are shared by every instance when Redis is configured
  // (coordination), else they live in this process's memory.
  // The maildrop lock too: across every pop3 instance with Redis (more than one needs it), else in this process.
  const limits = createPop3Limits(config, coordination.loginFailures, coordination.locks, logger);
  const deps = {
    config,
    logger,
    control,
    mailstore,
    tls: runtime.tls,
    limits,
    closeTimeoutMs: POP3_LIMITS.shutdownGraceMs,
  };
  const create = (secure: boolean) => createPop3Server({ ...deps, secure });
  const stop = await listenWithImplicitTls(create, config.pop3, config.bind);
  logger.info({ ...stop.ports, bind: config.bind, coordination: coordination.backend }, 'pop3 listening');
  return stop;
});
