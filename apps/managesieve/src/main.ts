/**
 * The managesieve process: boots through @mailyard/runtime (configuration, control store, monitoring with /metrics
 * and /health on metrics.managesievePort; no mail store), listens on managesieve.port at config.bind, tells PM2 it
 * is ready, and on SIGTERM/SIGINT says BYE to every session and closes the stores.
 */
import { runProcess } from '@mailyard/runtime';
import { createManageSieveServer } from './server.js';

runProcess(
  { processName: 'managesieve', mailstore: false },
  async ({ config, logger, control, runtime, coordination }) => {
    // Failed-login counters shared by every instance when Redis is configured (coordination), else per process.
    const service = createManageSieveServer({
      config,
      logger,
      control,
      tls: runtime.tls,
      loginFailures: coordination.loginFailures,
    });
    const port = await service.listen(config.managesieve.port, config.bind);
    logger.info({ port, bind: config.bind }, 'managesieve listening');
    return () => service.close();
  },
);
