/**
 * The one login path of LOGIN and AUTHENTICATE PLAIN (RFC 9051 §6.2.2-3, RFC 4616): the failed-login gate
 * (limits LoginGate: exactly imap.authFailuresPerIpPerHour failures are checked per address, the next attempt
 * gets NO [LIMIT]), the control store's password check, the unlock of the zero-access mailbox, the per-mailbox
 * connection limit. An unknown user or a wrong password costs the same unlock work as a right one
 * (simulateUnlock; issue 12 item 7), and each failure logs the fixed line fail2ban matches.
 */
import { AuthenticationError, RateLimitError } from '@mailyard/errors';
import { metrics } from '@mailyard/monitor';
import { capabilityLine } from '../capabilities.js';
import type { CommandIo } from '../protocol/command.js';
import type { TaggedResult } from '../protocol/types.js';
import type { Session } from '../session.js';

/** The mailbox id for a login: from the login cache (address still pointing there), else the control store. */
async function verifiedMailbox(session: Session, address: string, password: string): Promise<string | null> {
  const { control } = session.ctx.deps;
  const cached = session.ctx.logins.get(address, password);
  if (cached) {
    const current = await control.resolveRecipient(address);
    if (current?.alias.mailboxId === cached && current.alias.isEnabled) return cached;
    session.ctx.logins.forget(address, password);
  }
  const resolved = await control.verifyMailboxPassword(address, password);
  const mailboxId = resolved?.alias.mailboxId;
  if (!resolved || !mailboxId || !resolved.alias.isEnabled) return null;
  return mailboxId;
}

async function fail(session: Session, address: string, password: string, unlocked: boolean): Promise<never> {
  const { ctx } = session;
  if (!unlocked) await ctx.deps.mailstore.simulateUnlock?.(password);
  ctx.logger.warn({ protocol: 'imap', ip: session.transport.remoteAddress, user: address }, 'authentication failed');
  metrics.authFailures.inc({ protocol: 'imap' });
  await ctx.loginGate.fail(session.transport.remoteAddress, address);
  throw new AuthenticationError('Invalid credentials');
}

/** Logs in or throws (AUTHENTICATIONFAILED, LIMIT); on success the session is authenticated. */
export async function login(session: Session, address: string, password: string, io: CommandIo): Promise<TaggedResult> {
  const { ctx } = session;
  const ip = session.transport.remoteAddress;
  await ctx.loginGate.enforce(ip, address);
  const mailboxId = await verifiedMailbox(session, address, password);
  if (!mailboxId) return fail(session, address, password, false);
  const release = ctx.perUser.acquire(mailboxId);
  if (!release) throw new RateLimitError('Too many connections to this mailbox', 60_000);
  try {
    session.mailbox = await ctx.deps.mailstore.open(mailboxId, password);
  } catch (err) {
    release();
    ctx.logins.forget(address, password);
    if (err instanceof AuthenticationError) return fail(session, address, password, true);
    throw err;
  }
  ctx.logins.remember(address, password, mailboxId);
  await ctx.loginGate.succeed(ip, address);
  const mailbox = session.mailbox;
  const unwatch = ctx.notifier.watch(mailboxId, session);
  session.releaseLogin = () => {
    unwatch();
    mailbox.close();
    release();
    session.mailbox = undefined;
  };
  session.mailboxId = mailboxId;
  session.user = address;
  session.state = 'authenticated';
  if (session.transport.closed) session.end();
  // RFC 9051 §6.2.3: the capabilities change at login; tell them so the client needs no CAPABILITY command.
  await io.untagged(capabilityLine(session));
  return { status: 'OK', text: 'Logged in' };
}
