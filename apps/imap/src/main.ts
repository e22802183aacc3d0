/**
 * The imap process: boots through @mailyard/runtime (configuration, control store, mail store, monitoring with
 * /metrics and /health on metrics.imapPort), listens on imap.port (STARTTLS) and imap.tlsPort (implicit TLS,
 * RFC 8314) at config.bind, and hosts the ManageSieve listener (@mailyard/managesieve, managesieve.port); tells PM2
 * it is ready, and on SIGTERM or SIGINT stops accepting, says BYE to open sessions of both protocols, stops
 * monitoring, closes the stores and exits within 30 s.
 * ManageSieve runs here rather than in a Node process of its own (about 35 MB PSS saved): it uses only the control
 * store this process opens anyway, never unlocks a mailbox, and keeps failed-login counters of its own scope.
 */
import { scopeCoordination } from '@mailyard/coordination';
import { serveManageSieve } from '@mailyard/managesieve';
import { listenWithImplicitTls, runProcess } from '@mailyard/runtime';
import { createImapLimits, createImapServer } from './server.js';

runProcess({ processName: 'imap' }, async ({ config, logger, control, mailstore, runtime, coordination }) => {
  // One failed-login gate for both listeners; its counters are shared by every instance when Redis is configured
  // (coordination), else they live in this process's memory.
  const limits = createImapLimits(config, coordination.loginFailures);
  const deps = { config, logger, control, mailstore, tls: runtime.tls, limits };
  const create = (secure: boolean) => createImapServer({ ...deps, secure });
  const stop = await listenWithImplicitTls(create, config.imap, config.bind);
  logger.info({ ...stop.ports, bind: config.bind, coordination: coordination.backend }, 'imap listening');
  const stopManageSieve = await serveManageSieve({
    config,
    logger: logger.child({ component: 'managesieve' }),
    control,
    tls: runtime.tls,
    loginFailures: scopeCoordination(coordination, 'managesieve').loginFailures,
  });
  return async () => {
    await Promise.all([stop(), stopManageSieve()]);
  };
});
