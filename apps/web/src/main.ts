/**
 * The web process: reads configuration, opens the control store and the mail store, listens on web.port at
 * config.bind, tells PM2 it is ready, and shuts down gracefully on SIGTERM/SIGINT (at most 30 s).
 * Bound to loopback (the embedded quick start) it speaks plain HTTP; bound anywhere else it serves HTTPS with the
 * configured (or self-signed) certificate, so session cookies never cross the network in clear.
 */
import { deriveKey, ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
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
  process.send?.('ready');

  const stop = async (signal: string) => {
    logger.info({ signal }, 'web shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    await web.close();
    await mailstore.close();
    await control.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
