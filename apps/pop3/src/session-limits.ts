/**
 * The limits one pop3 process enforces, shared by its STLS and implicit-TLS listeners: failed logins (the one
 * LoginGate of @mailyard/limits, pop3.authFailuresPerIpPerHour per client address and per user + address),
 * concurrent connections per client IP and per user name, and the maildrop lock.
 *
 * The maildrop lock (maildrop-locks.ts) is a lease in the coordination's locks: across every pop3 instance when
 * they share Redis, in this process with the embedded coordination (and by default here).
 */
import type { Config } from '@mailyard/config';
import { type Locks, MemoryLocks } from '@mailyard/coordination';
import { ConnectionCounter, type LoginFailureStore, LoginGate, MemoryLoginFailureStore } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import { MaildropLocks } from './maildrop-locks.js';

export interface Pop3Limits {
  /** Failed logins: exactly pop3.authFailuresPerIpPerHour are checked per address per hour, the next is refused. */
  loginGate: LoginGate;
  /** Connections per client IP, from accept to close (pop3.maxConnectionsPerIp). */
  perIp: ConnectionCounter;
  /**
   * Connections per user name (lowercased) that are logging in or logged in (pop3.maxConnectionsPerUser): bounds
   * the concurrent password checks one account can cost, beyond the one session the lock lets in.
   */
  perUser: ConnectionCounter;
  /** One logged-in session per mailbox id. */
  maildrops: MaildropLocks;
}

/**
 * `loginFailures`: where failed logins are counted; `locks`: where maildrops are locked (both this process's
 * memory by default; main.ts passes the coordination's).
 */
export function createPop3Limits(
  config: Pick<Config, 'pop3'>,
  loginFailures: LoginFailureStore = new MemoryLoginFailureStore(),
  locks: Locks = new MemoryLocks(),
  logger?: Pick<Logger, 'warn'>,
): Pop3Limits {
  const failures = config.pop3.authFailuresPerIpPerHour;
  return {
    loginGate: new LoginGate({ perIp: failures, perUserIp: failures, store: loginFailures }),
    perIp: new ConnectionCounter(config.pop3.maxConnectionsPerIp),
    perUser: new ConnectionCounter(config.pop3.maxConnectionsPerUser),
    maildrops: new MaildropLocks(locks, logger),
  };
}
