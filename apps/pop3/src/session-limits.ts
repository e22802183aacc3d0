/**
 * The limits one pop3 process enforces, shared by its STLS and implicit-TLS listeners: failed logins (the one
 * LoginGate of @mailyard/limits, pop3.authFailuresPerIpPerHour per client address and per user + address), concurrent connections per client IP and per user name, and the maildrop lock.
 *
 * The maildrop lock (RFC 1939 §4: the server should acquire an exclusive lock on the maildrop after PASS; RFC 2449
 * §8.1.2 and RFC 3206 name the refusal `[IN-USE]`) is a ConnectionCounter of one per mailbox id. It is held in this
 * process only: a POP3 session in another process (a second pop3 instance) is not seen; the ecosystem runs one.
 */
import type { Config } from '@mailyard/config';
import { ConnectionCounter, type LoginFailureStore, LoginGate, MemoryLoginFailureStore } from '@mailyard/limits';

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
  maildrops: ConnectionCounter;
}

/** `loginFailures`: where failed logins are counted (this process's memory by default). */
export function createPop3Limits(
  config: Pick<Config, 'pop3'>,
  loginFailures: LoginFailureStore = new MemoryLoginFailureStore(),
): Pop3Limits {
  const failures = config.pop3.authFailuresPerIpPerHour;
  return {
    loginGate: new LoginGate({ perIp: failures, perUserIp: failures, store: loginFailures }),
    perIp: new ConnectionCounter(config.pop3.maxConnectionsPerIp),
    perUser: new ConnectionCounter(config.pop3.maxConnectionsPerUser),
    maildrops: new ConnectionCounter(1),
  };
}
