/**
 * Dashboard sessions: a server-side table in memory, keyed by a random 256-bit id that is the only thing the
 * browser holds (cookie). Only logged-in sessions are stored; an anonymous visitor has an id with no entry, which
 * still binds the CSRF token of the login and sign-up forms. Sessions end at logout, at their absolute lifetime,
 * or when the account changes its password (other sessions of that account). A restart logs everyone out.
 */
import { randomBytes } from 'node:crypto';

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export interface Session {
  id: string;
  accountId: string;
  createdAt: number;
  expiresAt: number;
  /** One message shown on the next page (Post/Redirect/Get). */
  flash?: Flash;
}

/** 32 random bytes, base64url (43 characters). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function isSessionId(value: string | undefined): value is string {
  return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value);
}

export interface SessionTableOptions {
  maxAgeMs: number;
  /** Beyond this many live sessions the oldest is dropped, so the table cannot grow without bound. */
  maxSessions?: number;
  now?: () => number;
}

export class SessionTable {
  readonly #sessions = new Map<string, Session>();
  readonly #maxAgeMs: number;
  readonly #maxSessions: number;
  readonly #now: () => number;

  constructor(opts: SessionTableOptions) {
    this.#maxAgeMs = opts.maxAgeMs;
    this.#maxSessions = opts.maxSessions ?? 100_000;
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  create(accountId: string): Session {
    this.#sweep();
    const now = this.#now();
    const session: Session = { id: newSessionId(), accountId, createdAt: now, expiresAt: now + this.#maxAgeMs };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string): Session | null {
    const session = this.#sessions.get(id);
    if (!session) return null;
    if (session.expiresAt > this.#now()) return session;
    this.#sessions.delete(id);
    return null;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  /** Ends every session of the account except `keepId` (after a password change). */
  deleteForAccount(accountId: string, keepId?: string): void {
    for (const [id, session] of this.#sessions) {
      if (session.accountId === accountId && id !== keepId) this.#sessions.delete(id);
    }
  }

  /** Drops expired sessions, then the oldest ones (Map keeps insertion order) while over the cap. */
  #sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
    for (const id of this.#sessions.keys()) {
      if (this.#sessions.size < this.#maxSessions) break;
      this.#sessions.delete(id);
    }
  }
}
