/**
 * What every connection of an IMAP server shares: injected dependencies, the per-process limits (failed-login
 * gate, byte budget, connection counters, login cache) and the notifier.
 */
import type { Config } from '@mailyard/config';
import type { ControlStore } from '@mailyard/control';
import type { ByteBudget, ConnectionCounter, LoginGate } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import type { ChangeNotifier, MailboxSession } from '@mailyard/mailstore';
import type { LoginCache } from './login-cache.js';
import type { SessionChangeRelay } from './notifier.js';
import type { ProtocolLimits } from './protocol/limits.js';

/** The slice of the Mailstore class the IMAP server uses. */
export interface MailstoreAccess {
  open(mailboxId: string, password: string): Promise<MailboxSession>;
  notifier: ChangeNotifier;
  /** Burns the cost of one unlock (issue 12 item 7: unknown users cost the same as known ones). */
  simulateUnlock?(password: string): Promise<void>;
}

export interface ImapDeps {
  config: Config;
  logger: Logger;
  control: Pick<ControlStore, 'verifyMailboxPassword' | 'resolveRecipient' | 'findAccountByEmail' | 'setAliasQuota'>;
  mailstore: MailstoreAccess;
  /** Implicit TLS (port 993 style) instead of STARTTLS. */
  secure?: boolean;
  tls?: { key: string; cert: string };
  /** Limits shared by the listeners of one process (STARTTLS and implicit TLS); made per server when absent. */
  limits?: ImapLimits;
  /** Protocol limits (protocol/limits.ts) to override, e.g. lower in tests. */
  protocol?: Partial<ProtocolLimits>;
}

/** Failed-login and connection counters and the byte budget: per process, shared by all its IMAP listeners. */
export interface ImapLimits {
  loginGate: LoginGate;
  /** In-flight message bytes (limits.inflightBytes): APPEND literals reserve from it before they are read. */
  budget: ByteBudget;
  perUser: ConnectionCounter;
  perIp: ConnectionCounter;
  logins: LoginCache;
}

export interface ServerContext extends ImapLimits {
  deps: ImapDeps;
  logger: Logger;
  notifier: SessionChangeRelay;
  protocol: ProtocolLimits;
}
