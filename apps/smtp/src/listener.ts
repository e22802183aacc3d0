/**
 * Builds a smtp-server instance with Mailyard's hooks and options, and closes it gracefully: stop accepting,
 * let DATA in flight finish (its reply is sent), then end the remaining sessions with 421 (RFC 5321 §3.8).
 * Each listener takes at most maxConnectionsPerListener connections (smtp-server's maxClients: 421 past it) and
 * watches every connection's command and DATA deadlines (server.ts, connection-guard.ts). The pause before the
 * greeting (early-talker test) is the listener's own setting: smtp.mxGreetingDelayMs or submissionGreetingDelayMs.
 */
import { ServerError } from '@mailyard/errors';
import { listenServer } from '@mailyard/runtime';
import type { SMTPServerOptions } from 'smtp-server';
import type { SmtpContext } from './deps.js';
import { createOnAuth } from './handlers/on-auth.js';
import { createOnClose, createOnConnect, createOnSecure } from './handlers/on-connect.js';
import { createOnData } from './handlers/on-data.js';
import { createOnMailFrom } from './handlers/on-mail-from.js';
import { createOnRcptTo } from './handlers/on-rcpt-to.js';
import { SMTP_LIMITS } from './limits.js';
import { GuardedSmtpServer, refuseBareCr } from './server.js';
import { createServerState, type ServerMode, type ServerState } from './server-state.js';

export interface SmtpListener {
  readonly server: GuardedSmtpServer;
  readonly state: ServerState;
  /** Listens on `port` (0 picks one) of `host` (default config bind) and resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** Graceful close: DATA in flight finishes within `graceMs`, then every session ends. */
  close(graceMs?: number): Promise<void>;
}

export function smtpOptions(ctx: SmtpContext, state: ServerState, secure: boolean): SMTPServerOptions {
  const { config } = ctx;
  const submission = state.mode === 'submission';
  if (!ctx.tls) throw new ServerError('an SMTP listener needs a TLS key and certificate (SmtpDeps.tls)');
  return {
    name: config.hostname,
    banner: submission ? 'Mailyard submission' : 'Mailyard',
    secure,
    key: ctx.tls.key,
    cert: ctx.tls.cert,
    size: config.smtp.maxMessageSize,
    maxRecipients: config.smtp.maxRecipients,
    maxClients: ctx.limits.maxConnectionsPerListener,
    maxCommandLength: SMTP_LIMITS.maxCommandLength,
    maxAllowedUnauthenticatedCommands: SMTP_LIMITS.maxUnauthenticatedCommands,
    socketTimeout: config.smtp.socketTimeoutMs,
    closeTimeout: SMTP_LIMITS.shutdownGraceMs,
    disableReverseLookup: !SMTP_LIMITS.reverseLookup,
    // Pre-greet test per listener (options of our smtp-server patch, see server.ts): off unless configured.
    greetingDelay: submission ? config.smtp.submissionGreetingDelayMs : config.smtp.mxGreetingDelayMs,
    onCommandLine: refuseBareCr,
    hideDSN: false,
    hideENHANCEDSTATUSCODES: false,
    hideREQUIRETLS: true,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !submission,
    allowInsecureAuth: submission && config.allowInsecureAuth,
    disabledCommands: submission ? [] : ['AUTH'],
    logger: false,
    onConnect: createOnConnect(state),
    onSecure: createOnSecure(state),
    onClose: createOnClose(state),
    onAuth: createOnAuth(state),
    onMailFrom: createOnMailFrom(state),
    onRcptTo: createOnRcptTo(state),
    onData: createOnData(state),
  };
}

async function waitForIdle(state: ServerState, graceMs: number): Promise<void> {
  const giveUpAt = Date.now() + graceMs;
  while (state.inflight.count > 0 && Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function createListener(ctx: SmtpContext, mode: ServerMode, secure: boolean, shared?: ServerState) {
  const state = shared ?? createServerState(ctx, mode);
  const server = new GuardedSmtpServer(smtpOptions(ctx, state, secure), {
    mode,
    limits: ctx.limits,
    guards: state.guards,
  });
  server.on('error', (err) => ctx.logger.warn({ err, component: mode }, 'smtp connection error'));
  const listener: SmtpListener = {
    server,
    state,
    listen: (port, host = ctx.config.bind) => listenServer(server.server, port, host),
    async close(graceMs = SMTP_LIMITS.shutdownGraceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await waitForIdle(state, graceMs);
      for (const connection of [...server.connections]) {
        connection.send(421, '4.3.2 Server shutting down, try again later');
        connection.close();
      }
      await closed;
    },
  };
  return listener;
}
