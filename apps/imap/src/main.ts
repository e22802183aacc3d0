/**
 * The imap process: boots through @mailyard/runtime (configuration, control store, mail store, monitoring with
 * /metrics and /health on metrics.imapPort), listens on imap.port (STARTTLS) and imap.tlsPort (implicit TLS,
 * RFC 8314) at config.bind, and hosts the POP3 listeners (@mailyard/pop3: pop3.port with STLS, pop3.tlsPort) and
 * the ManageSieve listener (@mailyard/managesieve, managesieve.port); tells PM2 it is ready, and on SIGTERM or
 * SIGINT stops accepting, says BYE to open sessions of every protocol, stops monitoring, closes the stores and
 * exits within 30 s.
 * POP3 and ManageSieve run here rather than in Node processes of their own (each about 35 MB PSS and 73 MB RSS at
 * rest, docs/operations.md). POP3 serves the same mail store: a user whose phone speaks POP3 and whose desktop
 * speaks IMAP unlocks the mailbox once in this process, and both share its open handle and page cache. Its maildrop
 * lock is a coordination lock, which holds across every instance of this process (a SQLite lease file without
 * Redis, Redis with it). ManageSieve uses only the control store and never unlocks a mailbox. Each protocol keeps
 * failed-login and rate-limit counters of its own scope, as when it had its own process.
 */
import { scopeCoordination } from '@mailyard/coordination';
import { serveManageSieve } from '@mailyard/managesieve';
import { createPop3Limits, createPop3Server, POP3_LIMITS } from '@mailyard/pop3';
import { type Booted, listenWithImplicitTls, runProcess } from '@mailyard/runtime';
import { createImapLimits, createImapServer } from './server.js';

runProcess({ processName: 'imap' }, async (booted) => {
  const { config, logger, control, mailstore, runtime, coordination } = booted;
  // One failed-login gate for both listeners; its counters are shared by every instance when Redis is configured
  // (coordination), else they live in this process's memory.
  const limits = createImapLimits(config, coordination.loginFailures);
  const deps = { config, logger, control, mailstore, tls: runtime.tls, limits };
  const create = (secure: boolean) => createImapServer({ ...deps, secure });
  const stop = await listenWithImplicitTls(create, config.imap, config.bind);
  logger.info({ ...stop.ports, bind: config.bind, coordination: coordination.backend }, 'imap listening');
  const stopPop3 = await servePop3(booted);
  const stopManageSieve = await serveManageSieve({
    config,
    logger: logger.child({ component: 'managesieve' }),
    control,
    tls: runtime.tls,
    loginFailures: scopeCoordination(coordination, 'managesieve').loginFailures,
  });
  return async () => {
    await Promise.all([stop(), stopPop3(), stopManageSieve()]);
  };
});

/** The POP3 listeners (STLS and implicit TLS) over this process's stores; returns how to stop them. */
async function servePop3({
  config,
  logger,
  control,
  mailstore,
  runtime,
  coordination,
}: Booted<{ processName: 'imap' }>): Promise<() => Promise<void>> {
  const pop3Logger = logger.child({ component: 'pop3' });
  // POP3's own failed-login counters (10 failed IMAP logins do not use up an address's POP3 allowance); the
  // maildrop lock is not scoped: it names the mailbox, which every instance shares.
  const scoped = scopeCoordination(coordination, 'pop3');
  const limits = createPop3Limits(config, scoped.loginFailures, scoped.locks, pop3Logger);
  const deps = {
    config,
    logger: pop3Logger,
    control,
    mailstore,
    tls: runtime.tls,
    limits,
    closeTimeoutMs: POP3_LIMITS.shutdownGraceMs,
  };
  const stop = await listenWithImplicitTls((secure) => createPop3Server({ ...deps, secure }), config.pop3, config.bind);
  pop3Logger.info({ ...stop.ports, bind: config.bind }, 'pop3 listening');
  return stop;
}
