/**
 * createApiServer: the Koa application of the REST API. Middleware order: errors (one mapping to JSON through
 * @mailyard/errors toBoom) -> request log -> /metrics and /health -> rate limits and authentication ->
 * router (/v1) -> 404/405.
 */
import { createServer, type Server } from 'node:http';
import * as Boom from '@hapi/boom';
import { Router } from '@koa/router';
import type { Config } from '@mailyard/config';
import { type ControlStore, defaultResolver, type MailboxAdmin, type TxtMxResolver } from '@mailyard/control';
import { reportError, toBoom } from '@mailyard/errors';
import { ByteBudget, LoginGate, RateLimiter, type RateLimitStore } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import { countConnections, httpMetrics, monitoringEndpoints, watchByteBudget } from '@mailyard/monitor';
import { closeServer, listenServer } from '@mailyard/runtime';
import type { MessageSender } from '@mailyard/smtp';
import { TransferJobs } from '@mailyard/transfer';
import Koa, { type Next } from 'koa';
import { authenticate } from './auth.js';
import type { ApiContext, ApiState, RouteDeps } from './context.js';
import { type MailboxOpener, MailboxSessions } from './mailbox-auth.js';
import { openApiDocument } from './openapi.js';
import { registerAccountRoutes } from './routes/account.js';
import { RESEND_INTERVAL_MS, registerAliasVerificationRoutes } from './routes/alias-verification.js';
import { registerAliasRoutes } from './routes/aliases.js';
import { registerDomainRoutes } from './routes/domains.js';
import { registerEmailRoutes } from './routes/emails.js';
import { registerFolderRoutes } from './routes/folders.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerMemberRoutes } from './routes/members.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerSieveRoutes } from './routes/sieve.js';
import { registerMailboxSieveRoutes } from './routes/sieve-scripts.js';
import { registerSpamClassifierRoutes } from './routes/spam-classifier.js';
import { registerSpamSettingsRoutes } from './routes/spam-settings.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { importsDir, registerImportRoutes, registerTransferRoutes } from './routes/transfer.js';
import { registerWebhookRoutes } from './routes/webhooks.js';

export interface RateLimits {
  /** Requests per minute from one client address (authenticated or not). */
  perIpPerMinute: number;
  /** Requests per minute with one API token. */
  perTokenPerMinute: number;
  /** Time between two verification emails to one forward recipient (alias-verification.ts RESEND_INTERVAL_MS). */
  verificationResendMs: number;
}

/** The limits configured by api.rateLimitPerIpPerMinute and api.rateLimitPerTokenPerMinute (reasons there). */
export function configuredRateLimits(config: Config): RateLimits {
  return {
    perIpPerMinute: config.api.rateLimitPerIpPerMinute,
    perTokenPerMinute: config.api.rateLimitPerTokenPerMinute,
    verificationResendMs: RESEND_INTERVAL_MS,
  };
}

export interface ApiDeps {
  config: Config;
  logger: Logger;
  control: ControlStore;
  /** The process's mail store: mailbox passwords, and the mailboxes HTTP clients unlock with their credentials. */
  mailstore: MailboxAdmin & MailboxOpener;
  /** DNS resolver for record checks; default: node:dns, pointed at config.dns.resolver when set. */
  resolver?: TxtMxResolver;
  /** Overrides the configured rate limits (tests). */
  rateLimits?: Partial<RateLimits>;
  /** Gate of failed mailbox-password checks (generate-password with `password` or `recovery_key`). */
  loginGate?: LoginGate;
  /** Counters of the request rate limits; default in this process's memory (a Redis store shares them). */
  rateLimitStore?: RateLimitStore;
  /** The process's in-flight byte budget, which request bodies reserve from; default: limits.inflightBytes. */
  budget?: ByteBudget;
  /** Sends POST /v1/emails through the submission flow (main.ts builds it); without it that route answers 503. */
  sender?: MessageSender;
}

/**
 * The API checks a password only when a mailbox password is changed with the current `password` or the
 * `recovery_key`: an account owner must not be able to guess their way into a mailbox's mail (zero-access). The
 * same rule as every login: 10 failures per (mailbox, client address), 20 per address, per hour.
 */
export const DEFAULT_PASSWORD_GATE = { perIp: 20, perUserIp: 10 };

export interface ApiServer {
  app: Koa<ApiState>;
  router: Router<ApiState>;
  /** Listens on `port` (0 = any) at config.bind, or `host` when given; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

function errorHandler(logger: Logger) {
  return async (ctx: ApiContext, next: Next) => {
    try {
      await next();
    } catch (err) {
      const boom = Boom.isBoom(err) ? err : toBoom(err);
      if (!Boom.isBoom(err)) reportError(logger, err, { method: ctx.method, path: ctx.path });
      ctx.status = boom.output.statusCode;
      ctx.set(boom.output.headers as Record<string, string>);
      if (ctx.status === 401) ctx.set('WWW-Authenticate', 'Basic realm="mailyard", charset="UTF-8"');
      ctx.body = boom.output.payload;
    }
  };
}

function requestLog(logger: Logger) {
  return async (ctx: ApiContext, next: Next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      logger.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms }, 'request');
    }
  };
}

/** Wraps the router and allowedMethods: turns their bare 404/405/501 into JSON errors. */
async function unmatched(ctx: ApiContext, next: Next) {
  await next();
  if (ctx.body !== undefined && ctx.body !== null) return;
  if (ctx.status === 404) throw Boom.notFound('no such endpoint');
  if (ctx.status === 405)
    throw Boom.methodNotAllowed('method not allowed', undefined, ctx.response.get('Allow').split(/,\s*/));
  if (ctx.status === 501) throw Boom.notImplemented('method not implemented');
}

export function createApiServer(deps: ApiDeps): ApiServer {
  const logger = deps.logger.child({ component: 'api' });
  const limits = { ...configuredRateLimits(deps.config), ...deps.rateLimits };
  const loginGate = deps.loginGate ?? new LoginGate(DEFAULT_PASSWORD_GATE);
  const rateLimitStore = deps.rateLimitStore ? { store: deps.rateLimitStore } : {};
  const mailboxes = new MailboxSessions({ control: deps.control, mailstore: deps.mailstore, loginGate, logger });
  const routeDeps: RouteDeps = {
    config: deps.config,
    logger,
    control: deps.control,
    mailstore: deps.mailstore,
    mailboxes,
    resolver: deps.resolver ?? defaultResolver(deps.config),
    loginGate,
    budget: deps.budget ?? new ByteBudget(deps.config.limits.inflightBytes),
  };
  const app = new Koa<ApiState>({ proxy: deps.config.api.trustProxy });
  const router = new Router<ApiState>({ prefix: '/v1' });
  router.get('/openapi.json', (ctx: ApiContext) => {
    ctx.body = openApiDocument();
  });
  registerAccountRoutes(router, routeDeps);
  registerTokenRoutes(router, routeDeps);
  registerDomainRoutes(router, routeDeps, deps.sender);
  registerAliasRoutes(router, routeDeps, deps.sender, limits.verificationResendMs);
  registerAliasVerificationRoutes(router, routeDeps);
  registerMemberRoutes(router, routeDeps);
  registerSpamSettingsRoutes(router, routeDeps);
  registerEmailRoutes(router, routeDeps, deps.sender);
  registerWebhookRoutes(router, routeDeps);
  registerLogRoutes(router, routeDeps);
  registerSieveRoutes(router, routeDeps);
  registerMailboxSieveRoutes(router, routeDeps);
  registerMessageRoutes(router, routeDeps);
  registerFolderRoutes(router, routeDeps);
  registerSpamClassifierRoutes(router, routeDeps);
  registerTransferRoutes(router, routeDeps);
  // Background imports: statuses in the data dir, shared with the dashboard's and with other instances. Uploads
  // left by an instance that died are removed now (and when a job starts or a stale status is read).
  const transferJobs = new TransferJobs({
    dataDir: deps.config.dataDir,
    onError: (err, job, what) => logger.warn({ err, job: job.id, kind: job.kind }, what),
    scratch: [importsDir(deps.config.dataDir)],
    onCleanup: (report) => logger.info(report, 'uploads of stopped processes removed'),
  });
  registerImportRoutes(router, routeDeps, transferJobs);

  watchByteBudget(routeDeps.budget);
  app.use(httpMetrics('api'));
  app.use(errorHandler(logger));
  app.use(requestLog(logger));
  app.use(monitoringEndpoints);
  app.use(
    authenticate(deps.control, {
      perIp: new RateLimiter({ points: limits.perIpPerMinute, durationMs: 60_000, ...rateLimitStore }),
      perToken: new RateLimiter({ points: limits.perTokenPerMinute, durationMs: 60_000, ...rateLimitStore }),
    }),
  );
  app.use(unmatched);
  app.use(router.routes());
  app.use(router.allowedMethods());

  let server: Server | undefined;
  return {
    app,
    router,
    listen(port, host = deps.config.bind) {
      server = createServer(app.callback());
      countConnections(server, 'api');
      return listenServer(server, port, host);
    },
    async close() {
      await closeServer(server);
      await transferJobs.close();
      mailboxes.close();
    },
  };
}
