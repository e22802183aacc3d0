/**
 * createImapServer: a listener speaking IMAP through Mailyard's own protocol layer (src/protocol/). The
 * protocol core frames and dispatches; the command files in src/commands/ run each command against the
 * unlocked mailbox; the notifier carries changes between sessions and processes. Each listener caps its
 * connections (issue 12 item 5) before the per-IP limit is even consulted.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import type { Config } from '@mailyard/config';
import {
  ByteBudget,
  ConnectionCounter,
  type LoginFailureStore,
  LoginGate,
  MemoryLoginFailureStore,
} from '@mailyard/limits';
import { watchByteBudget } from '@mailyard/monitor';
import { closeServer, listenServer } from '@mailyard/runtime';
import { capabilityLine } from './capabilities.js';
import { COMMANDS } from './commands/index.js';
import type { ImapDeps, ImapLimits, ServerContext } from './context.js';
import { LoginCache } from './login-cache.js';
import { SessionChangeRelay } from './notifier.js';
import { ImapConnection } from './protocol/connection.js';
import { DEFAULT_PROTOCOL_LIMITS, IMAP_LIMITS, type ProtocolLimits } from './protocol/limits.js';
import { Session } from './session.js';

export type { ImapDeps, ImapLimits } from './context.js';

export interface ImapServer {
  readonly notifier: SessionChangeRelay;
  /** The open connections (tests and metrics). */
  readonly connections: ReadonlySet<ImapConnection<Session>>;
  /** Resolves with the bound port (0 picks a free one). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, says BYE to open connections and resolves once all are gone. */
  close(): Promise<void>;
}

/**
 * The per-process limits from configuration (imap.authFailuresPerIpPerHour, imap.maxConnectionsPer*,
 * limits.inflightBytes). Failed logins are counted in `loginFailures` (this process's memory by default; a shared
 * store counts across processes).
 */
export function createImapLimits(
  config: Pick<Config, 'imap' | 'limits'>,
  loginFailures: LoginFailureStore = new MemoryLoginFailureStore(),
): ImapLimits {
  const failures = config.imap.authFailuresPerIpPerHour;
  const budget = new ByteBudget(config.limits.inflightBytes);
  watchByteBudget(budget);
  return {
    loginGate: new LoginGate({ perIp: failures, perUserIp: failures, store: loginFailures }),
    budget,
    perUser: new ConnectionCounter(config.imap.maxConnectionsPerUser),
    perIp: new ConnectionCounter(config.imap.maxConnectionsPerIp),
    logins: new LoginCache(),
  };
}

function protocolLimits(deps: ImapDeps): ProtocolLimits {
  const { imap, limits } = deps.config;
  return {
    ...DEFAULT_PROTOCOL_LIMITS,
    maxLineBytes: imap.maxLineBytes,
    maxMessageBytes: imap.maxLiteralBytes,
    maxOtherLiteralBytes: imap.maxOtherLiteralBytes,
    maxConnections: imap.maxConnections,
    idleTimeoutMs: imap.idleTimeoutMs,
    commandTimeoutMs: limits.timeoutMs,
    ...deps.protocol,
  };
}

function buildContext(deps: ImapDeps): ServerContext {
  const logger = deps.logger.child({ component: 'imap' });
  return {
    deps,
    logger,
    notifier: new SessionChangeRelay(deps.mailstore.notifier, logger),
    protocol: protocolLimits(deps),
    ...(deps.limits ?? createImapLimits(deps.config)),
  };
}

export function createImapServer(deps: ImapDeps): ImapServer {
  const ctx = buildContext(deps);
  const tls: SecureContext | undefined = deps.tls ? createSecureContext(deps.tls) : undefined;
  const connections = new Set<ImapConnection<Session>>();
  const commands = new Map(COMMANDS.map((c) => [c.name, c]));

  const accept = (raw: Socket) => {
    if (connections.size >= ctx.protocol.maxConnections) {
      raw.on('error', () => undefined);
      raw.end('* BYE [UNAVAILABLE] Too many connections\r\n');
      return;
    }
    const socket = deps.secure && tls ? new TLSSocket(raw, { isServer: true, secureContext: tls }) : raw;
    const id = randomBytes(6).toString('base64url');
    const logger = ctx.logger.child({ cid: id, ip: raw.remoteAddress });
    const releaseIp = ctx.perIp.acquire(raw.remoteAddress ?? '');
    const connection: ImapConnection<Session> = new ImapConnection<Session>({
      id,
      socket,
      secure: deps.secure === true,
      ...(tls ? { tls } : {}),
      limits: ctx.protocol,
      logger,
      commands,
      greeting: (session) => `OK [${capabilityLine(session)}] Mailyard IMAP ready`,
      createSession: (conn) => new Session(ctx, conn, logger),
      messageBudget: ctx.budget,
      onClose: () => {
        connections.delete(connection);
        releaseIp?.();
      },
    });
    connections.add(connection);
    if (!releaseIp) {
      logger.warn({ protocol: 'imap' }, 'too many connections from address');
      connection.bye('[LIMIT] Too many connections from your address');
      return;
    }
    connection.start();
  };

  let server: Server | null = null;
  return {
    notifier: ctx.notifier,
    connections,
    listen: (port, host = deps.config.bind) => {
      const listener = createServer({ pauseOnConnect: false }, accept);
      server = listener;
      listener.on('error', (err) => ctx.logger.error({ err }, 'imap server error'));
      return listenServer(listener, port, host);
    },
    close: async () => {
      for (const connection of connections) connection.bye('Server shutting down');
      const timer = setTimeout(() => {
        for (const connection of connections) connection.destroy();
      }, IMAP_LIMITS.closeGraceMs);
      timer.unref();
      try {
        await closeServer(server);
      } finally {
        clearTimeout(timer);
        ctx.notifier.close();
      }
    },
  };
}
