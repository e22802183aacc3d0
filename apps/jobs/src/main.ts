/**
 * The jobs process: reads configuration, opens the control store (alerts are mailed through its outbound
 * queue), starts monitoring and the Bree scheduler, tells PM2 it is ready, and on SIGTERM/SIGINT cancels
 * running jobs and exits within pm2.shutdownTimeoutMs (30 s, PM2's kill_timeout).
 */
import { ensureRuntimeFiles, loadConfig } from '@mailyard/config';
import { openControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { startJobsProcess } from './jobs-process.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, name: 'jobs' });
  const { masterKey, paths } = await ensureRuntimeFiles(config);
  const control = openControlStore({ dataDir: paths.root, masterKey, mongodbUri: config.mongodbUri });
  const jobs = await startJobsProcess({ config, logger, control });
  logger.info({ pid: process.pid }, 'jobs scheduler started');
  process.send?.('ready');

  const stop = async (signal: string) => {
    logger.info({ signal }, 'jobs shutting down');
    const force = setTimeout(() => process.exit(1), config.pm2.shutdownTimeoutMs - 1000);
    force.unref();
    await jobs.stop();
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
