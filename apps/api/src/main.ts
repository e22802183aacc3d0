/**
 * The api process: reads configuration, opens the control store and the mail store, starts monitoring (health
 * sampling and profiling triggers; /metrics and /health are served by the app itself), listens on api.port at
 * config.bind, installs its signal handlers, tells PM2 it is ready, and shuts down gracefully on SIGTERM/SIGINT
 * (at most 30 s).
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { startProcessMonitoring } from '@mailyard/monitor';
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
  // No metrics listener of its own: /metrics and /health are routes of the app on api.port.
  const monitoring = await startProcessMonitoring({ logger, config, processName: 'api', metricsPort: false });
  const api = createApi({ config, logger, control, mailstore });
  const port = await api.listen(config.api.port);
  logger.info({ port, bind: config.bind }, 'api listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    await api.close();
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
