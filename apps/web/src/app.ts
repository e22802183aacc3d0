/**
 * createWebServer: the Koa application of the dashboard. Middleware order: security headers -> error pages (one
 * mapping through @mailyard/errors) -> /metrics and /health -> session -> CSRF check of every state-changing
 * request -> routes -> 404 page.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Router } from '@koa/router';
import { type MessageSender, RESEND_INTERVAL_MS } from '@mailyard/api';
import type { Config } from '@mailyard/config';
import { type ControlStore, defaultResolver, type TxtMxResolver } from '@mailyard/control';
import {
  LOGIN_FAILURE_WINDOW_MS,
  type LoginFailureStore,
  LoginGate,
  RateLimiter,
  type RateLimitStore,
} from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import { countConnections, httpMetrics, monitoringEndpoints } from '@mailyard/monitor';
import { closeServer, listenServer } from '@mailyard/runtime';
import Koa, { type Next } from 'koa';
import { registerAutoconfigRoutes } from './autoconfig.js';
import { errorPages, notFoundPage } from './error-pages.js';
import { registerAccountRoutes } from './routes/account.js';
import { registerAliasRoutes } from './routes/aliases.js';
import { registerBackupRoutes } from './routes/backup.js';
import { registerDomainRoutes } from './routes/domains.js';
import { registerMemberRoutes } from './routes/members.js';
import { registerOutboundRoutes } from './routes/outbound.js';
import { registerQuotaRoutes } from './routes/quotas.js';
import { registerSieveRoutes } from './routes/sieve.js';
import { registerSpamRoutes } from './routes/spam.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { checkCsrf, loadSession } from './session-middleware.js';
import { DashboardSessions } from './sessions.js';
import { STYLESHEET } from './stylesheet.js';
import { TransferJobs } from './transfer-jobs.js';
import type { DashboardMailstore, LoginLimits, WebContext, WebRouteDeps, WebState } from './web-context.js';

/**
 * Failed logins per hour: 10 per (email, address) is plenty for a person who mistypes and far too few for guessing;
 * 20 per address leaves room for a household or office behind one NAT mistyping several accounts. Successful logins
 * are never counted. Sign-ups: 10 per address per hour.
 */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perIp: 20,
  perEmailIp: 10,
  signupsPerIp: 10,
  windowMs: LOGIN_FAILURE_WINDOW_MS,
};

export interface WebDeps {
  config: Config;
  logger: Logger;
  control: ControlStore;
  mailstore: DashboardMailstore;
  /** DNS resolver for record checks; default: node:dns, pointed at config.dns.resolver when set. */
  resolver?: TxtMxResolver;
  /** Key for CSRF tokens: config.web.sessionSecret, else this (main.ts derives it from the master key), else random. */
  sessionSecret?: Buffer;
  /** Serve HTTPS with this key pair (cookies then get Secure and the __Host- prefix, and HSTS is sent). */
  tls?: { key: string; cert: string };
  loginLimits?: Partial<LoginLimits>;
  /** Where failed logins are counted; default: this process's memory (a shared store makes N instances one). */
  loginFailures?: LoginFailureStore;
  /** Where sign-ups per address are counted; default: this process's memory (a shared store makes N instances one). */
  rateLimitStore?: RateLimitStore;
  /** Emails recipient verification links (main.ts: the api process's sender); without it none are sent. */
  sender?: MessageSender;
  /** Time between two verification emails to one recipient; default the API's RESEND_INTERVAL_MS (tests). */
  verificationResendMs?: number;
}

export interface WebServer {
  app: Koa<WebState>;
  sessions: DashboardSessions;
  /** Listens on `port` (0 = any) at config.bind, or `host` when given; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting connections, waits for open requests to finish, and stops background imports. */
  close(): Promise<void>;
}

/** CSP level 3: nothing but our own stylesheet and forms posting back to us; no scripts at all, no framing. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

function securityHeaders() {
  return async (ctx: WebContext, next: Next) => {
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000');
    await next();
  };
}

function csrfKeyFrom(config: Config, secret: Buffer | undefined): Buffer {
  if (config.web.sessionSecret) return Buffer.from(config.web.sessionSecret, 'utf8');
  return secret ?? randomBytes(32);
}

function routeDeps(deps: WebDeps, logger: Logger): WebRouteDeps {
  const limits = { ...DEFAULT_LOGIN_LIMITS, ...deps.loginLimits };
  return {
    config: deps.config,
    logger,
    control: deps.control,
    mailstore: deps.mailstore,
    resolver: deps.resolver ?? defaultResolver(deps.config),
    sessions: new DashboardSessions(deps.control, { maxAgeMs: deps.config.web.sessionMaxAgeMs }),
    csrfKey: csrfKeyFrom(deps.config, deps.sessionSecret),
    loginGate: new LoginGate({
      perIp: limits.perIp,
      perUserIp: limits.perEmailIp,
      windowMs: limits.windowMs,
      ...(deps.loginFailures ? { store: deps.loginFailures } : {}),
    }),
    signupPerIp: new RateLimiter({
      points: limits.signupsPerIp,
      durationMs: limits.windowMs,
      ...(deps.rateLimitStore ? { store: deps.rateLimitStore } : {}),
    }),
    transferJobs: new TransferJobs(deps.config.dataDir, logger),
    ...(deps.sender ? { sender: deps.sender } : {}),
    verificationResendMs: deps.verificationResendMs ?? RESEND_INTERVAL_MS,
  };
}

function buildRouter(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  router.get('/style.css', (ctx: WebContext) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.body = STYLESHEET;
  });
  router.get('/', (ctx: WebContext) => {
    ctx.redirect(ctx.state.account ? '/domains' : '/login');
  });
  registerAccountRoutes(router, deps);
  registerDomainRoutes(router, deps);
  registerAliasRoutes(router, deps);
  registerQuotaRoutes(router, deps);
  registerBackupRoutes(router, deps);
  registerSieveRoutes(router, deps);
  registerSpamRoutes(router, deps);
  registerMemberRoutes(router, deps);
  registerTokenRoutes(router, deps);
  registerOutboundRoutes(router, deps);
  registerAutoconfigRoutes(router, deps);
  return router;
}

export function createWebServer(deps: WebDeps): WebServer {
  const logger = deps.logger.child({ component: 'web' });
  const shared = routeDeps(deps, logger);
  const app = new Koa<WebState>({ proxy: deps.config.api.trustProxy });
  const router = buildRouter(shared);

  app.use(httpMetrics('web'));
  app.use(securityHeaders());
  app.use(errorPages(logger));
  app.use(monitoringEndpoints);
  app.use(loadSession(shared));
  app.use(checkCsrf(shared));
  app.use(notFoundPage);
  app.use(router.routes());
  app.use(router.allowedMethods());

  let server: Server | undefined;
  return {
    app,
    sessions: shared.sessions,
    listen(port, host = deps.config.bind) {
      server = deps.tls ? createHttpsServer(deps.tls, app.callback()) : createHttpServer(app.callback());
      countConnections(server, 'web');
      return listenServer(server, port, host);
    },
    async close() {
      await closeServer(server);
      await shared.transferJobs.close();
    },
  };
}
