/**
 * Dashboard sessions in control.db. The cookie carries a 256-bit random secret; the table keeps only its SHA-256
 * (like API tokens, a plain digest suffices for a secret this long), so a copy of the database logs nobody in.
 * Expiry is absolute: a session is dead from expires_at on, whether or not expireSessions has swept it yet.
 */
import { randomBytes } from 'node:crypto';
import { tokenDigest } from './secrets.js';
import type { StatementFor } from './sqlite-queries.js';
import type { IssuedSession, WebSession } from './types.js';

interface SessionRow {
  digest: string;
  account_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  note: string | null;
}

function toSession(row: SessionRow): WebSession {
  return {
    accountId: row.account_id,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    expiresAt: new Date(row.expires_at),
    note: row.note,
  };
}

export class SqliteSessionTable {
  readonly #sql: StatementFor;

  constructor(sql: StatementFor) {
    this.#sql = sql;
  }

  create(accountId: string, maxAgeMs: number): IssuedSession {
    const secret = randomBytes(32).toString('base64url');
    const now = Date.now();
    this.#sql(
      `INSERT INTO web_sessions (digest, account_id, created_at, last_seen_at, expires_at, note)
         VALUES (?, ?, ?, ?, ?, NULL)`,
    ).run(tokenDigest(secret), accountId, now, now, now + maxAgeMs);
    return { secret, session: this.get(secret, now) as WebSession };
  }

  get(secret: string, now = Date.now()): WebSession | null {
    const row = this.#sql('SELECT * FROM web_sessions WHERE digest = ? AND expires_at > ?').get(
      tokenDigest(secret),
      now,
    ) as SessionRow | undefined;
    return row ? toSession(row) : null;
  }

  touch(secret: string, note: string | null): boolean {
    const now = Date.now();
    const result = this.#sql(
      'UPDATE web_sessions SET last_seen_at = ?, note = ? WHERE digest = ? AND expires_at > ?',
    ).run(now, note, tokenDigest(secret), now);
    return result.changes === 1;
  }

  delete(secret: string): void {
    this.#sql('DELETE FROM web_sessions WHERE digest = ?').run(tokenDigest(secret));
  }

  deleteForAccount(accountId: string, keepSecret?: string): number {
    const keep = keepSecret === undefined ? '' : tokenDigest(keepSecret);
    return this.#sql('DELETE FROM web_sessions WHERE account_id = ? AND digest <> ?').run(accountId, keep).changes;
  }

  expire(now: number): number {
    return this.#sql('DELETE FROM web_sessions WHERE expires_at <= ?').run(now).changes;
  }
}
