/**
 * Mailbox credentials over HTTP: Basic auth (RFC 7617) with the alias address as user name and the mailbox
 * password, the pair IMAP, POP3, SMTP AUTH and ManageSieve take. The password unlocks the zero-access mailbox; an
 * account token never does (mail routes answer it 401, whatever the token).
 *
 * Repeat requests cost no KDF run, as repeat IMAP logins do (apps/imap login-cache.ts): after a request
 * succeeds, a keyed hash of (address, password) maps to the alias and mailbox for SESSION_TTL_MS after its last
 * use, and the entry holds one open session of the mailbox, so the mail store keeps the unlocked handle (and its
 * data key) for that long instead of closing it after its grace period. A repeat request still looks the address
 * up in the control store (cheap: no KDF), so a disabled, deleted or re-pointed alias stops working at once, and
 * still opens its session through Mailstore.open, which drains the spool (new mail is visible) and refuses a
 * password that no longer unwraps the key file (a password change elsewhere). The hash key is random per
 * process and never leaves memory; close() releases every held session.
 *
 * The first request of a pair pays the control store's scrypt check through the API's one LoginGate (failures
 * counted per client address and per address + client address; each failure logs `authentication failed` for
 * fail2ban); a wrong password also costs the mail store's unlock work (simulateUnlock), as in IMAP.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ControlStore } from '@mailyard/control';
import { AuthenticationError, RateLimitError } from '@mailyard/errors';
import type { LoginGate } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import type { MailboxSession } from '@mailyard/mailstore';
import { metrics } from '@mailyard/monitor';
import type { ApiContext, RouteDeps } from './context.js';

/** How long an unused (address, password) stays verified and its mailbox unlocked: IMAP's login cache TTL. */
export const SESSION_TTL_MS = 5 * 60_000;
/**
 * At most this many (address, password) pairs keep their mailbox unlocked for HTTP clients, the least recently used
 * released first: each holds an open database handle (its page cache), so the bound is the mail store's own bound
 * on idle handles (64), not the login cache's. A pair released early costs its next request one KDF run again.
 */
export const SESSION_ENTRIES = 64;

/** Paths whose requests carry mailbox credentials instead of an API token. */
export const MAILBOX_CREDENTIAL_PREFIXES = [
  '/v1/sieve-scripts',
  '/v1/messages',
  '/v1/folders',
  '/v1/export',
  '/v1/imports',
  '/v1/spam-classifier',
];

export function usesMailboxCredentials(path: string): boolean {
  return MAILBOX_CREDENTIAL_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** What of the mail store the API uses to unlock mailboxes. */
export interface MailboxOpener {
  open(mailboxId: string, password: string): Promise<MailboxSession>;
  simulateUnlock(password: string): Promise<void>;
}

export interface MailboxIdentity {
  address: string;
  aliasId: string;
  mailboxId: string;
}

interface Entry extends MailboxIdentity {
  /** Held open so the mail store keeps the mailbox unlocked between requests. */
  keeper: MailboxSession;
  expiresAt: number;
}

const USAGE = 'use HTTP Basic auth with the mailbox address and the mailbox password';
const KEY = randomBytes(32);

/** user and password of `Authorization: Basic base64(user ":" password)`; 401 when absent or not a mailbox. */
export function mailboxCredentials(header: string | undefined): { user: string; password: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw new AuthenticationError(USAGE);
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new AuthenticationError(USAGE);
  const user = decoded.slice(0, colon);
  if (!user.includes('@')) {
    throw new AuthenticationError(`account tokens never read mail (zero-access): ${USAGE}`);
  }
  return { user, password: decoded.slice(colon + 1) };
}

export interface MailboxSessionsDeps {
  control: Pick<ControlStore, 'verifyMailboxPassword' | 'findDomainByName' | 'findAlias'>;
  mailstore: MailboxOpener;
  loginGate: LoginGate;
  logger: Logger;
  now?: () => number;
}

export class MailboxSessions {
  readonly #deps: MailboxSessionsDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #sweeper: NodeJS.Timeout | null = null;

  constructor(deps: MailboxSessionsDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  #digest(address: string, password: string): string {
    return createHmac('sha256', KEY).update(address.toLowerCase()).update('\0').update(password).digest('base64');
  }

  /** Mailboxes held unlocked for HTTP clients right now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Checks the request's mailbox credentials and opens a session of the mailbox for this request; the caller
   * closes it (withSession does). 401 for missing or wrong credentials, 429 when the LoginGate refuses.
   */
  async open(header: string | undefined, ip: string): Promise<{ identity: MailboxIdentity; session: MailboxSession }> {
    const { user, password } = mailboxCredentials(header);
    // As IMAP: once guesses from this address reach the limit, even the right (cached) password waits.
    await this.#deps.loginGate.enforce(ip, user);
    const key = this.#digest(user, password);
    const cached = this.#entries.get(key);
    if (cached && cached.expiresAt > this.#now() && (await this.#stillPointsThere(cached))) {
      try {
        const session = await this.#deps.mailstore.open(cached.mailboxId, password);
        this.#touch(key, cached);
        return { identity: identityOf(cached), session };
      } catch (err) {
        this.#drop(key);
        if (!(err instanceof AuthenticationError)) throw err;
      }
    } else if (cached) {
      this.#drop(key);
    }
    return this.#firstOpen(key, user, password, ip);
  }

  /** The alias of a cached entry is still enabled and still delivers to the same mailbox (no KDF). */
  async #stillPointsThere(entry: Entry): Promise<boolean> {
    const at = entry.address.lastIndexOf('@');
    const domain = await this.#deps.control.findDomainByName(entry.address.slice(at + 1));
    if (!domain) return false;
    const alias = await this.#deps.control.findAlias(domain.id, entry.address.slice(0, at));
    return alias?.id === entry.aliasId && alias.isEnabled && alias.mailboxId === entry.mailboxId;
  }

  async #firstOpen(key: string, user: string, password: string, ip: string) {
    const { control, mailstore, loginGate, logger } = this.#deps;
    let session: MailboxSession | null = null;
    const checked = await loginGate.attempt(ip, user, async () => {
      const resolved = await control.verifyMailboxPassword(user, password);
      const mailboxId = resolved?.alias.isEnabled ? resolved.alias.mailboxId : null;
      if (!resolved || !mailboxId) {
        await mailstore.simulateUnlock(password);
        return null;
      }
      try {
        session = await mailstore.open(mailboxId, password);
      } catch (err) {
        if (err instanceof AuthenticationError) return null;
        throw err;
      }
      return { address: `${resolved.alias.name}@${resolved.domain.name}`, aliasId: resolved.alias.id, mailboxId };
    });
    if (!checked.allowed) throw new RateLimitError('too many failed logins, try again later', checked.retryAfterMs);
    const identity = checked.value;
    if (!identity || !session) {
      logger.info({ ip, user }, 'authentication failed');
      metrics.authFailures.inc({ protocol: 'api' });
      throw new AuthenticationError('invalid mailbox address or password');
    }
    const opened: MailboxSession = session;
    try {
      const keeper = await mailstore.open(identity.mailboxId, password);
      this.#touch(key, { ...identity, keeper, expiresAt: 0 });
    } catch (err) {
      opened.close();
      throw err;
    }
    return { identity, session: opened };
  }

  #touch(key: string, entry: Entry): void {
    entry.expiresAt = this.#now() + SESSION_TTL_MS;
    const previous = this.#entries.get(key);
    if (previous && previous !== entry) previous.keeper.close();
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > SESSION_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
    this.#sweep();
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    entry.keeper.close();
  }

  /** Releases expired entries once a minute while any are held (no timer at rest). */
  #sweep(): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => {
      const now = this.#now();
      for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#drop(key);
      if (this.#entries.size === 0 && this.#sweeper) {
        clearInterval(this.#sweeper);
        this.#sweeper = null;
      }
    }, 60_000);
    this.#sweeper.unref();
  }

  /** Releases every held mailbox (server shutdown). */
  close(): void {
    for (const key of [...this.#entries.keys()]) this.#drop(key);
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
  }
}

function identityOf(entry: Entry): MailboxIdentity {
  return { address: entry.address, aliasId: entry.aliasId, mailboxId: entry.mailboxId };
}

/**
 * Runs `work` with a session of the mailbox whose credentials the request carries, and closes the session after
 * (the held entry keeps the mailbox unlocked for the next request).
 */
export async function withMailbox<T>(
  ctx: ApiContext,
  deps: RouteDeps,
  work: (session: MailboxSession, identity: MailboxIdentity) => Promise<T> | T,
): Promise<T> {
  const { identity, session } = await deps.mailboxes.open(ctx.get('authorization') || undefined, ctx.ip);
  try {
    return await work(session, identity);
  } finally {
    session.close();
  }
}
