/**
 * onAuth (submission): AUTH PLAIN (RFC 4616) and LOGIN with an alias address and its mailbox password, checked
 * against the control store's verifyMailboxPassword for every attempt, known user or not: it runs the same KDF
 * work either way, so the reply time does not tell which addresses exist (nothing here answers earlier for an
 * unknown user). Failures are logged in the one format fail2ban matches and limited per client IP; after that
 * many failures AUTH answers 454 4.7.0 (RFC 4954 §6) without checking the password, for every user alike.
 */
import { metrics } from '@mailyard/monitor';
import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import { SMTP_LIMITS } from '../limits.js';
import type { ServerState, SubmissionUser } from '../server-state.js';
import { handlerFailure, reply } from '../smtp-reply.js';

type Callback = (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void;

function isBlocked(state: ServerState, ip: string): boolean {
  const until = state.authBlockedUntil.get(ip);
  if (until === undefined) return false;
  if (until > Date.now()) return true;
  state.authBlockedUntil.delete(ip);
  return false;
}

async function recordFailure(state: ServerState, ip: string, user: string): Promise<void> {
  state.ctx.logger.warn({ protocol: 'smtp', ip, user }, 'authentication failed');
  metrics.authFailures.inc({ protocol: 'smtp' });
  const result = await state.authFailures.consume(ip);
  if (result.allowed && result.remaining > 0) return;
  state.authBlockedUntil.set(ip, Date.now() + (result.retryAfterMs || SMTP_LIMITS.authFailureWindowMs));
}

async function authenticateUser(
  state: ServerState,
  auth: SMTPServerAuthentication,
  ip: string,
): Promise<SubmissionUser | null> {
  const username = auth.username ?? '';
  const found = await state.ctx.control.verifyMailboxPassword(username, auth.password ?? '');
  if (!found) {
    await recordFailure(state, ip, username);
    return null;
  }
  const address = username.toLowerCase();
  return {
    address,
    local: address.slice(0, address.lastIndexOf('@')),
    domain: found.domain.name,
    accountId: found.domain.accountId,
    canSendAs: found.alias.canSendAs,
    aliasId: found.alias.id,
    mailboxId: found.alias.mailboxId,
  };
}

export function createOnAuth(state: ServerState) {
  return (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: Callback): void => {
    const ip = session.remoteAddress;
    if (isBlocked(state, ip)) {
      callback(reply(454, '4.7.0', 'Too many failed logins from your address, try again later'));
      return;
    }
    authenticateUser(state, auth, ip).then(
      (user) => (user ? callback(null, { user }) : callback(reply(535, '5.7.8', 'Authentication credentials invalid'))),
      (err: unknown) => callback(handlerFailure(state.ctx.logger, err, { hook: 'auth', ip })),
    );
  };
}
