/**
 * USER/PASS (RFC 1939 §7) and AUTH PLAIN (RFC 5034, RFC 4616): the control store maps the address and password
 * to a mailbox, then the mail store unlocks it with the same password (which also drains its spool into INBOX).
 * wildduck itself refuses both commands before TLS unless insecure auth is allowed (its ignoreSTARTTLS option).
 * Every failure is logged as `authentication failed` (fail2ban matches that message) and counted by the one
 * LoginGate (@mailyard/limits): exactly pop3.authFailuresPerIpPerHour failures are checked per client address
 * (and per user + address) in an hour; the next attempt is refused with `-ERR [SYS/TEMP]` before the password is
 * looked at.
 *
 * Limits: a login takes a per-user-name slot (pop3.maxConnectionsPerUser, refused with `[SYS/TEMP]`) for the
 * password check and, once logged in, for the session; after the password, the maildrop lock (RFC 1939 §4) admits
 * one session per mailbox and refuses others with `-ERR [IN-USE]` (RFC 2449 §8.1.2). Neither refusal is a failed
 * login.
 */
import { AuthenticationError, MailyardError, RateLimitError, UserError } from '@mailyard/errors';
import type { MailboxSession } from '@mailyard/mailstore';
import { metrics } from '@mailyard/monitor';
import type { OnAuth, Pop3AuthRequest, Pop3Session, Pop3User } from 'wildduck/lib/pop3/server';
import type { Pop3Context } from '../context.js';
import { POP3_LIMITS } from '../limits.js';

const INVALID_CREDENTIALS = 'Invalid user name or password';

export function onAuth(ctx: Pop3Context): OnAuth {
  return (auth, session, callback) => {
    authenticate(ctx, auth, session).then(
      (user) => callback(null, { user }),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  };
}

async function authenticate(ctx: Pop3Context, auth: Pop3AuthRequest, session: Pop3Session): Promise<Pop3User> {
  const releaseUser = ctx.limits.perUser.acquire(auth.username.toLowerCase());
  if (!releaseUser) throw new RateLimitError('Too many connections for this user', POP3_LIMITS.userBusyRetryMs);
  try {
    const mailbox = await checkedUnlock(ctx, auth, session.remoteAddress);
    const releaseLock = await ctx.limits.maildrops.acquire(mailbox.id).catch((err: unknown) => {
      mailbox.close();
      throw err;
    });
    if (!releaseLock) {
      mailbox.close();
      throw new UserError('Maildrop already in use by another session', { code: 'INUSE' });
    }
    ctx.mailboxes.hold(session.id, mailbox, [releaseLock, releaseUser]);
    return { id: mailbox.id, username: auth.username };
  } catch (err) {
    releaseUser();
    throw err;
  }
}

/** The password check and unlock, with failed logins logged and counted by the login gate. */
async function checkedUnlock(ctx: Pop3Context, auth: Pop3AuthRequest, ip: string): Promise<MailboxSession> {
  const gate = ctx.limits.loginGate;
  try {
    await gate.enforce(ip, auth.username);
    const mailbox = await unlock(ctx, auth.username, auth.password);
    await gate.succeed(ip, auth.username);
    return mailbox;
  } catch (err) {
    if (!isLoginRefusal(err)) throw err;
    ctx.logger.warn({ protocol: 'pop3', ip, user: auth.username }, 'authentication failed');
    if (err instanceof AuthenticationError) {
      metrics.authFailures.inc({ protocol: 'pop3' });
      await gate.fail(ip, auth.username);
    }
    throw err;
  }
}

async function unlock(ctx: Pop3Context, address: string, password: string): Promise<MailboxSession> {
  const resolved = await ctx.control.verifyMailboxPassword(address, password);
  const mailboxId = resolved?.alias.mailboxId;
  if (!mailboxId) {
    // An unknown user or a wrong password costs the mailbox KDF a right password costs (issue 12 item 7).
    await ctx.mailstore.simulateUnlock(password);
    throw new AuthenticationError(INVALID_CREDENTIALS);
  }
  try {
    return await ctx.mailstore.open(mailboxId, password);
  } catch (err) {
    // The control store accepted the password but the mailbox key did not: treat it as a wrong password.
    if (err instanceof AuthenticationError) throw new AuthenticationError(INVALID_CREDENTIALS);
    throw err;
  }
}

/** Wrong credentials and refusals while rate-limited are failed logins; anything else is a server problem. */
function isLoginRefusal(err: unknown): err is MailyardError {
  return err instanceof MailyardError && (err instanceof AuthenticationError || err.code === 'LIMIT');
}
