/**
 * createImapServer: wires imap-core to Mailyard. imap-core speaks the protocol; the hooks in handlers/ run each
 * command against the unlocked mailbox; the notifier carries changes between sessions and processes.
 */
import type { AddressInfo } from 'node:net';
import type { Config } from '@mailyard/config';
import { ConnectionCounter, RateLimiter } from '@mailyard/limits';
import type { CapabilityOptions } from './capabilities.js';
import { CAPABILITY_OPTIONS, installCommandExtensions } from './commands/index.js';
import { onClose, onConnect } from './connection-setup.js';
import type { HookContext, ImapDeps, ImapLimits } from './context.js';
import { mailboxOf } from './context.js';
import { onAppend } from './handlers/on-append.js';
import { onAuth } from './handlers/on-auth.js';
import { onCopy } from './handlers/on-copy.js';
import { onCreate } from './handlers/on-create.js';
import { onDelete } from './handlers/on-delete.js';
import { onExpunge } from './handlers/on-expunge.js';
import { onFetch } from './handlers/on-fetch.js';
import { onGetQuota } from './handlers/on-get-quota.js';
import { onGetQuotaRoot } from './handlers/on-get-quota-root.js';
import { onList } from './handlers/on-list.js';
import { onLsub } from './handlers/on-lsub.js';
import { onMove } from './handlers/on-move.js';
import { onOpen } from './handlers/on-open.js';
import { onRename } from './handlers/on-rename.js';
import { onSearch } from './handlers/on-search.js';
import { onStatus } from './handlers/on-status.js';
import { onStore } from './handlers/on-store.js';
import { onSubscribe } from './handlers/on-subscribe.js';
import { onUnsubscribe } from './handlers/on-unsubscribe.js';
import { IMAPServer, wildduckErrors } from './imap-core.js';
import { LoginCache } from './login-cache.js';
import { MailyardNotifier } from './notifier.js';

export type { ImapDeps, ImapLimits } from './context.js';

export interface ImapServer {
  /** imap-core's server instance (for tests and metrics). */
  readonly server: InstanceType<typeof IMAPServer>;
  readonly notifier: MailyardNotifier;
  /** Resolves with the bound port (0 picks a free one). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, says BYE to open connections and resolves once all are gone. */
  close(): Promise<void>;
}

/** Failed logins per IP: one hour window (fail2ban takes over from the log line for longer bans). */
const AUTH_WINDOW_MS = 60 * 60 * 1000;
/** After close(), connections still open get BYE and are closed after this long. */
const CLOSE_GRACE_MS = 1000;

function buildContext(deps: ImapDeps): HookContext {
  const logger = deps.logger.child({ component: 'imap' });
  const notifier = new MailyardNotifier({
    changes: deps.mailstore.notifier,
    logger,
    mailboxFor: (session) => (session.user ? mailboxOf(session) : undefined),
  });
  return { deps, logger, notifier, ...(deps.limits ?? createImapLimits(deps.config)) };
}

/** The per-process limits from configuration (imap.authFailuresPerIpPerHour, imap.maxConnectionsPer*). */
export function createImapLimits(config: Pick<Config, 'imap'>): ImapLimits {
  return {
    authFailures: new RateLimiter({ points: config.imap.authFailuresPerIpPerHour, durationMs: AUTH_WINDOW_MS }),
    authBlocks: new Map(),
    perUser: new ConnectionCounter(config.imap.maxConnectionsPerUser),
    perIp: new ConnectionCounter(config.imap.maxConnectionsPerIp),
    logins: new LoginCache(),
  };
}

function serverOptions(deps: ImapDeps, ctx: HookContext): Record<string, unknown> {
  const { config } = deps;
  const capabilities: CapabilityOptions = {
    allowInsecureAuth: config.allowInsecureAuth,
    appendLimit: config.imap.maxLiteralBytes,
  };
  return {
    secure: deps.secure === true,
    ...(deps.tls ? { key: deps.tls.key, cert: deps.tls.cert } : {}),
    // imap-core's name for "LOGIN allowed without TLS"; STARTTLS stays offered either way.
    ignoreSTARTTLS: config.allowInsecureAuth,
    name: config.hostname,
    id: { name: 'Mailyard' },
    maxMessage: config.imap.maxLiteralBytes,
    enableCompression: true,
    socketTimeout: config.imap.idleTimeoutMs,
    idleTimeout: config.imap.idleTimeoutMs,
    closeTimeout: CLOSE_GRACE_MS,
    logger: imapCoreLogger(ctx),
    [CAPABILITY_OPTIONS]: capabilities,
  };
}

/** imap-core logs every connection and command at info/debug: keep that at debug under our logger. */
function imapCoreLogger(ctx: HookContext) {
  const core = ctx.logger.child({ component: 'imap-core' });
  const debug = (obj: object, ...args: unknown[]) => core.debug(obj, ...(args as [string]));
  return { trace: debug, debug, info: debug, warn: debug, error: debug, fatal: debug };
}

function setHooks(server: InstanceType<typeof IMAPServer>, ctx: HookContext): void {
  Object.assign(server, {
    notifier: ctx.notifier,
    onConnect: onConnect(ctx),
    onClose: onClose(),
    onAuth: onAuth(ctx),
    onList: onList(),
    onLsub: onLsub(),
    onCreate: onCreate(),
    onRename: onRename(),
    onDelete: onDelete(),
    onOpen: onOpen(),
    onStatus: onStatus(),
    onAppend: onAppend(),
    onStore: onStore(),
    onExpunge: onExpunge(),
    onCopy: onCopy(),
    onMove: onMove(),
    onFetch: onFetch(),
    onSearch: onSearch(),
    onSubscribe: onSubscribe(),
    onUnsubscribe: onUnsubscribe(),
    onGetQuotaRoot: onGetQuotaRoot(),
    onGetQuota: onGetQuota(),
  });
}

export function createImapServer(deps: ImapDeps): ImapServer {
  installCommandExtensions();
  const ctx = buildContext(deps);
  wildduckErrors.gelf.handler = {
    emit: (_channel, message) =>
      ctx.logger.debug({ notice: message._error ?? message.short_message }, 'imap-core notice'),
  };
  const server = new IMAPServer(serverOptions(deps, ctx));
  setHooks(server, ctx);
  server.on('error', (err: Error) => ctx.logger.error({ err }, 'imap server error'));
  return {
    server,
    notifier: ctx.notifier,
    listen: (port, host = deps.config.bind) =>
      new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => {
          server.server.off('error', reject);
          resolve((server.server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          ctx.notifier.close();
          resolve();
        });
      }),
  };
}
