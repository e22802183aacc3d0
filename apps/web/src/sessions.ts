/**
 * Dashboard sessions, kept in the control store (ControlStore.createSession and friends) so that every web process
 * and a restarted one see the same logins. The browser holds only a random 256-bit id (cookie); the store keeps its
 * SHA-256. Only logged-in sessions are stored; an anonymous visitor has an id with no entry, which still binds the
 * CSRF token of the login and sign-up forms. Sessions end at logout, at their absolute lifetime, or when the
 * account changes its password (its other sessions). There is no in-process cache: a logout in one process must
 * end the session in all of them, and the lookup is one indexed read.
 */
import { randomBytes } from 'node:crypto';
import type { ControlStore, WebSession } from '@mailyard/control';

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export interface Session {
  id: string;
  accountId: string;
  createdAt: number;
  expiresAt: number;
  /** One message shown on the next page (Post/Redirect/Get); saved with the session after each request. */
  flash?: Flash;
}

/** 32 random bytes, base64url (43 characters): the form of the ids the control store issues. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function isSessionId(value: string | undefined): value is string {
  return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value);
}

export interface DashboardSessionsOptions {
  maxAgeMs: number;
  /** Expired sessions are swept at a login at most this often. */
  sweepIntervalMs?: number;
}

/** The flash saved in a session's note; anything unreadable counts as none. */
function parseFlash(note: string | null): Flash | undefined {
  if (note === null) return undefined;
  try {
    const { kind, text } = JSON.parse(note) as Partial<Flash>;
    if ((kind !== 'ok' && kind !== 'error') || typeof text !== 'string') return undefined;
    return { kind, text };
  } catch {
    return undefined;
  }
}

const noteOf = (flash: Flash | undefined): string | null => (flash ? JSON.stringify(flash) : null);

export class DashboardSessions {
  readonly #control: ControlStore;
  readonly #maxAgeMs: number;
  readonly #sweepIntervalMs: number;
  /** The note each loaded session had in the store, so that only a changed flash is written back. */
  readonly #storedNotes = new WeakMap<Session, string | null>();
  #lastSweep = 0;

  constructor(control: ControlStore, opts: DashboardSessionsOptions) {
    this.#control = control;
    this.#maxAgeMs = opts.maxAgeMs;
    this.#sweepIntervalMs = opts.sweepIntervalMs ?? 10 * 60_000;
  }

  async create(accountId: string): Promise<Session> {
    await this.#sweep();
    const issued = await this.#control.createSession(accountId, this.#maxAgeMs);
    return this.#toSession(issued.secret, issued.session);
  }

  async get(id: string): Promise<Session | null> {
    const stored = await this.#control.getSession(id);
    return stored ? this.#toSession(id, stored) : null;
  }

  /** Writes the session's flash back when a request set or consumed it. */
  async save(session: Session): Promise<void> {
    const note = noteOf(session.flash);
    if (note === this.#storedNotes.get(session)) return;
    await this.#control.touchSession(session.id, note);
    this.#storedNotes.set(session, note);
  }

  async delete(id: string): Promise<void> {
    await this.#control.deleteSession(id);
  }

  /** Ends every session of the account except `keepId` (after a password change). */
  async deleteForAccount(accountId: string, keepId?: string): Promise<void> {
    await this.#control.deleteSessionsForAccount(accountId, keepId);
  }

  #toSession(id: string, stored: WebSession): Session {
    const flash = parseFlash(stored.note);
    const session: Session = {
      id,
      accountId: stored.accountId,
      createdAt: stored.createdAt.getTime(),
      expiresAt: stored.expiresAt.getTime(),
      ...(flash ? { flash } : {}),
    };
    this.#storedNotes.set(session, noteOf(flash));
    return session;
  }

  async #sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastSweep < this.#sweepIntervalMs) return;
    this.#lastSweep = now;
    await this.#control.expireSessions(new Date(now));
  }
}
