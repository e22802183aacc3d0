/**
 * The pop3 process: reads configuration, opens the control store and the mail store, starts monitoring (health
 * sampling, profiling triggers, /metrics and /health on metrics.pop3Port), listens on pop3.port (STLS) and
 * pop3.tlsPort (implicit TLS) at config.bind, installs its signal handlers, tells PM2 it is ready, and shuts down
 * gracefully on SIGTERM/SIGINT: stop accepting, let sessions finish (at most 20 s), stop monitoring, close the
 * stores, exit within 30 s.
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { startProcessMonitoring } from '@mailyard/monitor';
import { AuthFailureGate } from './auth-failure-gate.js';
import { createPop3Server } from './server.js';

const SHUTDOWN_GRACE_MS = 30_000;
/** Sessions get most of the grace period; the stores need the rest to close cleanly. */
const SESSION_GRACE_MS = 20_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'pop3' });
  const { masterKey, tls, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey, mongodbUri: config.mongodbUri });
  const mailstore = new Mailstore({
    dataDir: paths.root,
    quotaBytes: config.mailbox.quotaBytes,
    logger,
    kdf: { N: config.mailbox.kdfCost },
  });
  const monitoring = await startProcessMonitoring({ logger, config, processName: 'pop3' });
  const authGate = new AuthFailureGate();
  const deps = { config, logger, control, mailstore, tls, authGate, closeTimeoutMs: SESSION_GRACE_MS };
  const servers = [createPop3Server(deps), createPop3Server({ ...deps, secure: true })];
  const ports = [config.pop3.port, config.pop3.tlsPort];
  await Promise.all(servers.map((server, i) => server.listen(ports[i] ?? 0, config.bind)));
  logger.info({ port: config.pop3.port, tlsPort: config.pop3.tlsPort, bind: config.bind }, 'pop3 listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'pop3 shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    await Promise.all(servers.map((server) => server.close()));
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
