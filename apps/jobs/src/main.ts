/**
 * The jobs process: boots through @mailyard/runtime (configuration and the control store; alerts are mailed
 * through its outbound queue), starts monitoring and the Bree scheduler, tells PM2 it is ready, and on
 * SIGTERM/SIGINT cancels running jobs and exits within pm2.shutdownTimeoutMs (30 s, PM2's kill_timeout).
 */
import { runProcess } from '@mailyard/runtime';
import { startJobsProcess } from './jobs-process.js';

// Monitoring starts inside startJobsProcess, wired to the alerter that mails through the control store. The jobs
// process gives up a second before PM2's kill_timeout, so its own exit and log line come first.
// Its coordination is lazy: it connects to Redis (when configured) only to wake the outbound workers after
// queueing an alert mail, so a quiet jobs process holds no Redis connection.
runProcess(
  { processName: 'jobs', mailstore: false, monitoring: false, exitBeforeKillMs: 1000, lazyCoordination: true },
  async ({ config, logger, control, coordination }) => {
    const jobs = await startJobsProcess({ config, logger, control, wakeOutbound: () => coordination.queue.notify() });
    logger.info({ pid: process.pid }, 'jobs scheduler started');
    return () => jobs.stop();
  },
);
