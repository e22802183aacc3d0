/**
 * The api process: boots through @mailyard/runtime (configuration, control store, mail store, monitoring; /metrics
 * and /health are served by the app itself), listens on api.port at config.bind, tells PM2 it is ready, and shuts
 * down gracefully on SIGTERM/SIGINT (at most 30 s).
 */
import { runProcess } from '@mailyard/runtime';
import { createApiServer } from './app.js';

// No metrics listener of its own: /metrics and /health are routes of the app on api.port.
runProcess(
  { processName: 'api', monitoring: { metricsPort: false } },
  async ({ config, logger, control, mailstore }) => {
    const api = createApiServer({ config, logger, control, mailstore });
    const port = await api.listen(config.api.port);
    logger.info({ port, bind: config.bind }, 'api listening');
    return () => api.close();
  },
);
