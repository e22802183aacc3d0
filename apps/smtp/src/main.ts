/**
 * The smtp processes: `node dist/main.js mx|submission|outbound`. Reads configuration, opens the control store
 * and the mail store, starts monitoring (health sampling, profiling triggers, /metrics and /health on
 * metrics.<role>Port), starts the MX listener, the submission listeners or the outbound queue worker, tells PM2 it
 * is ready, and on SIGTERM/SIGINT stops accepting, lets DATA in flight (or delivery attempts) finish, stops
 * monitoring, closes the stores and exits within 30 s.
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { createLogger, type Logger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { startProcessMonitoring } from '@mailyard/monitor';
import type { SmtpDeps } from './deps.js';
import { SMTP_LIMITS } from './limits.js';
import { createMxServer } from './mx.js';
import { createOutboundWorker } from './outbound/worker.js';
import { createSubmissionServer } from './submission.js';

const SHUTDOWN_DEADLINE_MS = 30_000;
const ROLES = ['mx', 'submission', 'outbound'] as const;
type Role = (typeof ROLES)[number];

/** Starts the role and returns how to stop it. */
async function start(role: Role, deps: SmtpDeps, logger: Logger): Promise<() => Promise<void>> {
  const { config } = deps;
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
  worker.start();
  logger.info('outbound worker started');
  return () => worker.stop();
}

async function main(): Promise<void> {
  const role = process.argv[2] as Role;
  if (!ROLES.includes(role)) throw new Error(`usage: node dist/main.js ${ROLES.join('|')}`);
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: role });
  const { masterKey, tls, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey, mongodbUri: config.mongodbUri });
  const mailstore = new Mailstore({ dataDir: paths.root, quotaBytes: config.mailbox.quotaBytes, logger });
  const monitoring = await startProcessMonitoring({ logger, config, processName: role });
  const stopRole = await start(role, { config, logger, control, mailstore, masterKey, tls }, logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${role} shutting down`);
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    await stopRole();
    await monitoring.stop();
    await mailstore.close();
    await control.close();
    process.exit(0);
  };
  // `on` with a guard, not `once`: a second signal during shutdown must not kill the process mid-close.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // After the handlers: a supervisor may signal the moment it hears 'ready'.
  process.send?.('ready');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
