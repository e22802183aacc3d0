/**
 * The web process: boots through @mailyard/runtime (configuration, control store, mail store, monitoring; /metrics
 * and /health are served by the app itself), listens on web.port at config.bind, tells PM2 it is ready, and shuts
 * down gracefully on SIGTERM/SIGINT (at most 30 s).
 * Bound to loopback (the embedded quick start) it speaks plain HTTP; bound anywhere else it serves HTTPS with the
 * configured (or self-signed) certificate, so session cookies never cross the network in clear.
 */
import { deriveKey } from '@mailyard/config';
import { runProcess } from '@mailyard/runtime';
import { createWebServer } from './app.js';
import { isLoopbackBind } from './client-settings.js';

// No metrics listener of its own: /metrics and /health are routes of the app on web.port.
runProcess(
  { processName: 'web', monitoring: { metricsPort: false } },
  async ({ config, logger, control, mailstore, runtime, coordination }) => {
    const sessionSecret = deriveKey(runtime.masterKey, 'web.session');
    const tls = isLoopbackBind(config) ? undefined : runtime.tls;
    // Failed logins and sign-ups count in the coordination's stores: shared by every instance with Redis.
    const web = createWebServer({
      config,
      logger,
      control,
      mailstore,
      sessionSecret,
      tls,
      loginFailures: coordination.loginFailures,
      rateLimitStore: coordination.rateLimits,
    });
    const port = await web.listen(config.web.port);
    logger.info({ port, bind: config.bind }, 'web listening');
    return () => web.close();
  },
);
