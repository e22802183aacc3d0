/**
 * What every hook shares: injected dependencies, the limits, and per-connection state kept beside imap-core's
 * session object (a WeakMap, so state goes away with the connection).
 */
import type { Config } from '@mailyard/config';
import type { ControlStore } from '@mailyard/control';
import type { ConnectionCounter, RateLimiter } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import type { MailboxSession } from '@mailyard/mailstore';
import type { ImapSession } from 'wildduck/imap-core';
import type { LoginCache } from './login-cache.js';
import type { MailyardNotifier } from './notifier.js';

/** The slice of the Mailstore class the IMAP server uses. */
export interface MailstoreAccess {
  open(mailboxId: string, password: string): Promise<MailboxSession>;
}

export interface ImapDeps {
  config: Config;
  logger: Logger;
  control: Pick<ControlStore, 'verifyMailboxPassword' | 'resolveRecipient'>;
  mailstore: MailstoreAccess & { notifier: import('@mailyard/mailstore').ChangeNotifier };
  /** Implicit TLS (port 993 style) instead of STARTTLS. */
  secure?: boolean;
  tls?: { key: string; cert: string };
  /** Limits shared by the listeners of one process (STARTTLS and implicit TLS); made per server when absent. */
  limits?: ImapLimits;
}

/** Failed-login and connection counters: per process, shared by all its IMAP listeners. */
export interface ImapLimits {
  authFailures: RateLimiter;
  /** Client IP -> time until which its logins are refused (the limiter said no); expired entries are dropped. */
  authBlocks: Map<string, number>;
  perUser: ConnectionCounter;
  perIp: ConnectionCounter;
  logins: LoginCache;
}

export interface HookContext extends ImapLimits {
  deps: ImapDeps;
  logger: Logger;
  notifier: MailyardNotifier;
}

export interface ConnectionState {
  logger: Logger;
  releaseIp?: () => void;
  releaseUser?: () => void;
  mailbox?: MailboxSession;
  mailboxId?: string;
  /** RFC 7162 §3.2.3: ENABLE QRESYNC was issued (implies CONDSTORE). */
  qresync: boolean;
}

const states = new WeakMap<ImapSession, ConnectionState>();

export function stateOf(session: ImapSession): ConnectionState {
  const state = states.get(session);
  if (!state) throw new Error(`no state for IMAP session ${session.id}`);
  return state;
}

export function attachState(session: ImapSession, state: ConnectionState): void {
  states.set(session, state);
}

/** The unlocked mailbox of an authenticated session. */
export function mailboxOf(session: ImapSession): MailboxSession {
  const mailbox = stateOf(session).mailbox;
  if (!mailbox) throw new Error(`IMAP session ${session.id} has no mailbox`);
  return mailbox;
}
