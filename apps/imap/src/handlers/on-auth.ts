/**
 * LOGIN and AUTHENTICATE PLAIN (RFC 3501 §6.2.3, RFC 4616, SASL-IR RFC 4959): the address and password are
 * checked against the control store, then the password unlocks the zero-access mailbox (which drains its spool).
 * Failed logins are counted per client IP; past the limit every login from that IP is refused with
 * NO [LIMIT] until the window passes. Each failure is logged with the fixed message fail2ban matches.
 */
import { AuthenticationError, RateLimitError } from '@mailyard/errors';
import type { ImapSession } from 'wildduck/imap-core';
import { type HookContext, stateOf } from '../context.js';
import { failHook } from '../hook-failure.js';

export interface LoginAttempt {
  method: string;
  username: string;
  password: string;
}

type AuthCallback = (err: Error | null, result?: { user: { id: string; username: string } }) => void;

function checkBlocked(blockedUntil: Map<string, number>, ip: string): void {
  const until = blockedUntil.get(ip);
  if (until === undefined) return;
  const wait = until - Date.now();
  if (wait <= 0) {
    blockedUntil.delete(ip);
    return;
  }
  throw new RateLimitError('Too many failed logins, try again later', wait);
}

/** Above this many blocked addresses, expired blocks are swept on each new block. */
const BLOCK_SWEEP_SIZE = 1000;

function blockIp(blocks: Map<string, number>, ip: string, retryAfterMs: number): void {
  const now = Date.now();
  if (blocks.size > BLOCK_SWEEP_SIZE) for (const [key, until] of blocks) if (until <= now) blocks.delete(key);
  blocks.set(ip, now + retryAfterMs);
}

async function countFailure(ctx: HookContext, session: ImapSession, user: string): Promise<never> {
  const ip = session.remoteAddress;
  ctx.logger.warn({ protocol: 'imap', ip, user }, 'authentication failed');
  const result = await ctx.authFailures.consume(ip);
  if (!result.allowed) blockIp(ctx.authBlocks, ip, result.retryAfterMs);
  throw new AuthenticationError('Invalid credentials');
}

/** The mailbox id for a login: from the login cache (address still pointing there), else the control store. */
async function verifiedMailbox(ctx: HookContext, login: LoginAttempt): Promise<string | null> {
  const { control } = ctx.deps;
  const cached = ctx.logins.get(login.username, login.password);
  if (cached) {
    const current = await control.resolveRecipient(login.username);
    if (current?.alias.mailboxId === cached && current.alias.isEnabled) return cached;
    ctx.logins.forget(login.username, login.password);
  }
  const resolved = await control.verifyMailboxPassword(login.username, login.password);
  const mailboxId = resolved?.alias.mailboxId;
  if (!resolved || !mailboxId || !resolved.alias.isEnabled) return null;
  return mailboxId;
}

async function authenticate(ctx: HookContext, login: LoginAttempt, session: ImapSession) {
  checkBlocked(ctx.authBlocks, session.remoteAddress);
  const mailboxId = await verifiedMailbox(ctx, login);
  if (!mailboxId) return countFailure(ctx, session, login.username);
  const state = stateOf(session);
  const release = ctx.perUser.acquire(mailboxId);
  if (!release) throw new RateLimitError('Too many connections to this mailbox', 60_000);
  try {
    state.mailbox = await ctx.deps.mailstore.open(mailboxId, login.password);
  } catch (err) {
    release();
    ctx.logins.forget(login.username, login.password);
    if (err instanceof AuthenticationError) return countFailure(ctx, session, login.username);
    throw err;
  }
  ctx.logins.remember(login.username, login.password, mailboxId);
  state.mailboxId = mailboxId;
  state.releaseUser = release;
  if (session.writeStream.connection.state === 'Closed') releaseMailbox(session);
  return { id: mailboxId, username: login.username };
}

/** Gives back what a logged-in connection holds: the mailbox reference and the per-user connection slot. */
export function releaseMailbox(session: ImapSession): void {
  const state = stateOf(session);
  state.mailbox?.close();
  state.mailbox = undefined;
  state.releaseUser?.();
  state.releaseUser = undefined;
}

export function onAuth(ctx: HookContext) {
  return (login: LoginAttempt, session: ImapSession, callback: AuthCallback): void => {
    authenticate(ctx, login, session).then(
      (user) => callback(null, { user }),
      (err: unknown) => {
        failHook(session, err, 'onAuth');
        callback(null);
      },
    );
  };
}
