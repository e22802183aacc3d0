/**
 * onAuth (submission): AUTH PLAIN (RFC 4616) and LOGIN with an alias address and its mailbox password, checked
 * against the control store's verifyMailboxPassword for every attempt, known user or not: it runs the same KDF
 * work either way, so the reply time does not tell which addresses exist (nothing here answers earlier for an
 * unknown user). Failures are logged in the one format fail2ban matches and counted by the one failed-login gate
 * (@mailyard/limits LoginGate, smtp.authFailuresPerIpPerHour per client address and per user + address): exactly
 * that many are checked in an hour, and the next AUTH answers 454 4.7.0 (RFC 4954 §6) without checking the password.
 */
import { type LoginFailureStore, LoginGate, MemoryLoginFailureStore } from '@mailyard/limits';
import { metrics } from '@mailyard/monitor';
import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import type { ServerState, SubmissionUser } from '../server-state.js';
import { handlerFailure, reply } from '../smtp-reply.js';

type Callback = (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void;

/** The submission process's failed-login gate; `loginFailures` is where it counts (memory unless shared). */
export function createSubmissionLoginGate(
  config: { smtp: { authFailuresPerIpPerHour: number } },
  loginFailures: LoginFailureStore = new MemoryLoginFailureStore(),
): LoginGate {
  const failures = config.smtp.authFailuresPerIpPerHour;
  return new LoginGate({ perIp: failures, perUserIp: failures, store: loginFailures });
}

async function verifiedUser(state: ServerState, username: string, password: string): Promise<SubmissionUser | null> {
  const found = await state.ctx.control.verifyMailboxPassword(username, password);
  if (!found) return null;
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

type AuthOutcome = { user: SubmissionUser } | { refused: 'limit' | 'credentials' };

async function authenticate(state: ServerState, auth: SMTPServerAuthentication, ip: string): Promise<AuthOutcome> {
  const username = auth.username ?? '';
  const attempt = await state.ctx.loginGate.attempt(ip, username, () =>
    verifiedUser(state, username, auth.password ?? ''),
  );
  if (!attempt.allowed) return { refused: 'limit' };
  if (attempt.value) return { user: attempt.value };
  state.ctx.logger.warn({ protocol: 'smtp', ip, user: username }, 'authentication failed');
  metrics.authFailures.inc({ protocol: 'smtp' });
  return { refused: 'credentials' };
}

export function createOnAuth(state: ServerState) {
  return (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: Callback): void => {
    const ip = session.remoteAddress;
    authenticate(state, auth, ip).then(
      (outcome) => {
        if ('user' in outcome) return callback(null, { user: outcome.user });
        if (outcome.refused === 'limit') {
          return callback(reply(454, '4.7.0', 'Too many failed logins from your address, try again later'));
        }
        callback(reply(535, '5.7.8', 'Authentication credentials invalid'));
      },
      (err: unknown) => callback(handlerFailure(state.ctx.logger, err, { hook: 'auth', ip })),
    );
  };
}
