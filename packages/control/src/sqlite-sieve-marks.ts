/**
 * Sieve marks in control.db: "this was done for this user, remember it until then". Vacation records each sender
 * it answered per :handle for :days or :seconds (RFC 5230 §4.2, RFC 6131), the duplicate test the message ids it
 * has seen (RFC 7352 §3). Keys name senders and message ids, so only their SHA-256 is kept. Expiry is absolute:
 * a mark is dead from expires_at on whether or not a sweep has removed it; every SWEEP_EVERY-th claim sweeps.
 */
import { createHash } from 'node:crypto';
import type { StatementFor } from './sqlite-queries.js';

/** Claims between two sweeps of expired marks: one DELETE per this many deliveries that claimed a mark. */
const SWEEP_EVERY = 256;

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64');
}

export class SqliteSieveMarkTable {
  readonly #sql: StatementFor;
  #claims = 0;

  constructor(sql: StatementFor) {
    this.#sql = sql;
  }

  /** Atomic: the insert, or the refresh of an expired mark, is one statement; a live mark makes it change nothing. */
  claim(ownerId: string, key: string, expiresAt: number, now = Date.now()): boolean {
    if (++this.#claims % SWEEP_EVERY === 0) this.expire(now);
    const result = this.#sql(
      `INSERT INTO sieve_marks (owner_id, digest, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (owner_id, digest) DO UPDATE SET expires_at = excluded.expires_at
         WHERE sieve_marks.expires_at <= ?`,
    ).run(ownerId, digest(key), expiresAt, now);
    return result.changes === 1;
  }

  seen(ownerId: string, keys: string[], now = Date.now()): Set<string> {
    const live = this.#sql('SELECT 1 FROM sieve_marks WHERE owner_id = ? AND digest = ? AND expires_at > ?');
    return new Set(keys.filter((key) => live.get(ownerId, digest(key), now) !== undefined));
  }

  expire(now: number): number {
    return this.#sql('DELETE FROM sieve_marks WHERE expires_at <= ?').run(now).changes;
  }
}
