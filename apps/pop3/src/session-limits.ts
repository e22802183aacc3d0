/**
 * The limits one pop3 process enforces, shared by its STLS and implicit-TLS listeners: failed logins per IP
 * (auth-failure-gate.ts), concurrent connections per client IP and per user name, and the maildrop lock.
 *
 * The maildrop lock (RFC 1939 §4: the server should acquire an exclusive lock on the maildrop after PASS; RFC 2449
 * §8.1.2 and RFC 3206 name the refusal `[IN-USE]`) is a ConnectionCounter of one per mailbox id. It is held in this
 * process only: a POP3 session in another process (a second pop3 instance) is not seen; the ecosystem runs one.
 */
import type { Config } from '@mailyard/config';
import { ConnectionCounter } from '@mailyard/limits';
import { AUTH_FAILURE_WINDOW_MS, AuthFailureGate } from './auth-failure-gate.js';

export interface Pop3Limits {
  authGate: AuthFailureGate;
  /** Connections per client IP, from accept to close (pop3.maxConnectionsPerIp). */
  perIp: ConnectionCounter;
  /**
   * Connections per user name (lowercased) that are logging in or logged in (pop3.maxConnectionsPerUser): bounds
   * the concurrent password checks one account can cost, beyond the one session the lock lets in.
   */
  perUser: ConnectionCounter;
  /** One logged-in session per mailbox id. */
  maildrops: ConnectionCounter;
}

export function createPop3Limits(config: Pick<Config, 'pop3'>): Pop3Limits {
  return {
    authGate: new AuthFailureGate({
      failures: config.pop3.authFailuresPerIpPerHour,
      windowMs: AUTH_FAILURE_WINDOW_MS,
    }),
    perIp: new ConnectionCounter(config.pop3.maxConnectionsPerIp),
    perUser: new ConnectionCounter(config.pop3.maxConnectionsPerUser),
    maildrops: new ConnectionCounter(1),
  };
}
