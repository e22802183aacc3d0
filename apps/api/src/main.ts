/**
 * The api process: reads configuration, opens the control store and the mail store, listens on api.port at
 * config.bind, tells PM2 it is ready, and shuts down gracefully on SIGTERM/SIGINT (at most 30 s).
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { createApi } from './app.js';

const SHUTDOWN_GRACE_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'api' });
  const { masterKey, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey, mongodbUri: config.mongodbUri });
  const mailstore = new Mailstore({
    dataDir: paths.root,
    quotaBytes: config.mailbox.quotaBytes,
    logger,
    kdf: { N: config.mailbox.kdfCost },
  });
  const api = createApi({ config, logger, control, mailstore });
  const port = await api.listen(config.api.port);
  logger.info({ port, bind: config.bind }, 'api listening');
  process.send?.('ready');

  const stop = async (signal: string) => {
    logger.info({ signal }, 'api shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    await api.close();
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
