/**
 * The api process's entry point: the REST API (@mailyard/api's serveApi, on api.port) and the dashboard (this app,
 * on web.port) in one Node process. Boots through @mailyard/runtime (configuration, control store, mail store,
 * monitoring; /metrics and /health are routes of both apps), listens, tells PM2 it is ready, and shuts both down
 * gracefully on SIGTERM/SIGINT (at most 30 s).
 * One process rather than two: the dashboard is a few pages over the same stores the API opens, and a Node process
 * of its own cost 35-40 MB PSS at rest. The dashboard keeps its own failed-login and rate-limit counters (a scope of
 * its own in the coordination) and its own session secret.
 * Bound to loopback (the embedded quick start) the dashboard speaks plain HTTP; bound anywhere else it serves HTTPS
 * with the configured (or self-signed) certificate, so session cookies never cross the network in clear.
 */
import { createApiSender, serveApi } from '@mailyard/api';
import { deriveKey } from '@mailyard/config';
import { scopeCoordination } from '@mailyard/coordination';
import { runProcess } from '@mailyard/runtime';
import { createWebServer } from './app.js';
import { isLoopbackBind } from './client-settings.js';

// No metrics listener of its own: /metrics and /health are routes of the apps on api.port and web.port.
runProcess({ processName: 'api', monitoring: { metricsPort: false } }, async (booted) => {
  // One message sender for both: the dashboard emails recipient verification links as the API does.
  const sender = createApiSender(booted);
  const stopApi = await serveApi(booted, sender);
  const { config, logger, control, mailstore, runtime } = booted;
  const sessionSecret = deriveKey(runtime.masterKey, 'web.session');
  const tls = isLoopbackBind(config) ? undefined : runtime.tls;
  // Failed logins and sign-ups count in the dashboard's own scope: shared by every instance with Redis.
  const coordination = scopeCoordination(booted.coordination, 'web');
  const web = createWebServer({
    config,
    logger,
    control,
    mailstore,
    sessionSecret,
    tls,
    loginFailures: coordination.loginFailures,
    rateLimitStore: coordination.rateLimits,
    sender,
  });
  const port = await web.listen(config.web.port);
  logger.info({ port, bind: config.bind }, 'web listening');
  return async () => {
    await Promise.all([web.close(), stopApi()]);
  };
});
