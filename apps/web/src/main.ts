/**
 * The web process: reads configuration, opens the control store and the mail store, starts monitoring (health
 * sampling and profiling triggers; /metrics and /health are served by the app itself), listens on web.port at
 * config.bind, installs its signal handlers, tells PM2 it is ready, and shuts down gracefully on SIGTERM/SIGINT
 * (at most 30 s).
 * Bound to loopback (the embedded quick start) it speaks plain HTTP; bound anywhere else it serves HTTPS with the
 * configured (or self-signed) certificate, so session cookies never cross the network in clear.
 */
import { deriveKey, ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { startProcessMonitoring } from '@mailyard/monitor';
import { createWebApp } from './app.js';
import { isLoopbackBind } from './client-settings.js';

const SHUTDOWN_GRACE_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'web' });
  const { masterKey, paths, tls } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey, mongodbUri: config.mongodbUri });
  const mailstore = new Mailstore({
    dataDir: paths.root,
    quotaBytes: config.mailbox.quotaBytes,
    logger,
    kdf: { N: config.mailbox.kdfCost },
  });
  // No metrics listener of its own: /metrics and /health are routes of the app on web.port.
  const monitoring = await startProcessMonitoring({ logger, config, processName: 'web', metricsPort: false });
  const web = createWebApp({
    config,
    logger,
    control,
    mailstore,
    sessionSecret: deriveKey(masterKey, 'web.session'),
    tls: isLoopbackBind(config) ? undefined : tls,
  });
  const port = await web.listen(config.web.port);
  logger.info({ port, bind: config.bind }, 'web listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'web shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    await web.close();
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
