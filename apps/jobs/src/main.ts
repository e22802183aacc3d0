/**
 * The jobs process: boots through @mailyard/runtime (configuration and the control store; alerts are mailed
 * through its outbound queue), starts monitoring and the Bree scheduler, tells PM2 it is ready, and on
 * SIGTERM/SIGINT cancels running jobs and exits within pm2.shutdownTimeoutMs (30 s, PM2's kill_timeout).
 */
import { bootProcess } from '@mailyard/runtime';
import { startJobsProcess } from './jobs-process.js';

/** The jobs process gives up a second before PM2's kill_timeout, so its own exit and log line come first. */
const EXIT_BEFORE_KILL_MS = 1000;

async function main(): Promise<void> {
  // Monitoring starts inside startJobsProcess, wired to the alerter that mails through the control store.
  const booted = await bootProcess({ processName: 'jobs', mailstore: false, monitoring: false });
  const { config, logger, control } = booted;
  const jobs = await startJobsProcess({ config, logger, control });
  logger.info({ pid: process.pid }, 'jobs scheduler started');
  booted.serveUntilSignalled(() => jobs.stop(), {
    shutdownTimeoutMs: config.pm2.shutdownTimeoutMs - EXIT_BEFORE_KILL_MS,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
