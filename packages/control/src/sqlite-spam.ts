/**
 * Spam filter settings per domain (thresholds, greylisting on/off, sender allow and block lists) and the
 * greylisting triplets, in control.db. Entries of the lists are a whole address (sam@example.com) or a domain
 * (example.com, which also covers its subdomains); they are stored lower-case, each list at most
 * SPAM_LIST_LIMIT entries. A domain entry that is a public suffix (co.uk, com: the ICANN section of the Public
 * Suffix List, through tldts) is refused: it would name every domain registered under it. A greylisting triplet is kept only as a SHA-256 of client network, sender and recipient.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { ValidationError } from '@mailyard/errors';
import type Database from 'better-sqlite3-multiple-ciphers';
import type { StatementFor } from './sqlite-queries.js';
import type { DomainSpamSettings, GreylistAnswer, SpamSettingsPatch } from './types.js';

/** Entries per list: enough for any hand-kept list, small enough to read on every delivery. */
export const SPAM_LIST_LIMIT = 1000;
/** Every this-many greylist writes sweeps the expired triplets. */
const SWEEP_EVERY = 256;

const ENTRY =
  /^(?:[^\s@"<>]+@)?(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

interface SettingsRow {
  junk_score: number | null;
  reject_score: number | null;
  greylisting: number;
}

/**
 * The registrable domain of a name (example.co.uk for mail.example.co.uk), null for a public suffix. The Public
 * Suffix List is loaded on the first list change, not when the store opens (as for domains, sqlite-domains.ts).
 */
let registrableDomain: ((name: string) => string | null) | undefined;

function isPublicSuffix(name: string): boolean {
  if (!registrableDomain) {
    const tldts = createRequire(import.meta.url)('tldts') as typeof import('tldts');
    registrableDomain = (n) => tldts.getDomain(n);
  }
  return registrableDomain(name) === null;
}

function checkEntries(list: string, entries: string[]): string[] {
  const cleaned = [...new Set(entries.map((e) => e.trim().toLowerCase()).filter((e) => e.length > 0))];
  const bad = cleaned.find((e) => !ENTRY.test(e));
  if (bad !== undefined) throw new ValidationError(`${list}: '${bad}' is neither an address nor a domain`);
  const suffix = cleaned.find((e) => !e.includes('@') && isPublicSuffix(e));
  if (suffix !== undefined) {
    throw new ValidationError(`${list}: '${suffix}' is a public suffix; name a domain registered under it`);
  }
  if (cleaned.length > SPAM_LIST_LIMIT) throw new ValidationError(`${list}: at most ${SPAM_LIST_LIMIT} entries`);
  return cleaned.sort();
}

function checkScore(name: string, value: number | null | undefined): void {
  if (value === null || value === undefined) return;
  if (!Number.isFinite(value) || value < 0 || value > 1000) {
    throw new ValidationError(`${name} must be a number from 0 to 1000, or null for the server default`);
  }
}

export class SqliteSpamTable {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;
  #writes = 0;

  constructor(db: Database.Database, sql: StatementFor) {
    this.#db = db;
    this.#sql = sql;
  }

  get(domainId: string): DomainSpamSettings {
    const row = this.#sql(
      'SELECT junk_score, reject_score, greylisting FROM domain_spam_settings WHERE domain_id = ?',
    ).get(domainId) as SettingsRow | undefined;
    const entries = this.#sql('SELECT list, entry FROM domain_spam_lists WHERE domain_id = ? ORDER BY entry').all(
      domainId,
    ) as Array<{ list: string; entry: string }>;
    return {
      junkScore: row?.junk_score ?? null,
      rejectScore: row?.reject_score ?? null,
      greylisting: row?.greylisting === 1,
      allow: entries.filter((e) => e.list === 'allow').map((e) => e.entry),
      block: entries.filter((e) => e.list === 'block').map((e) => e.entry),
    };
  }

  /** Applies the patch in one transaction; ValidationError for a bad score, entry or threshold order. */
  update(domainId: string, patch: SpamSettingsPatch): DomainSpamSettings {
    checkScore('junkScore', patch.junkScore);
    checkScore('rejectScore', patch.rejectScore);
    const allow = patch.allow === undefined ? undefined : checkEntries('allow', patch.allow);
    const block = patch.block === undefined ? undefined : checkEntries('block', patch.block);
    const write = this.#db.transaction(() => {
      const current = this.get(domainId);
      const junk = patch.junkScore === undefined ? current.junkScore : patch.junkScore;
      const reject = patch.rejectScore === undefined ? current.rejectScore : patch.rejectScore;
      if (junk !== null && reject !== null && reject <= junk) {
        throw new ValidationError('rejectScore must be higher than junkScore');
      }
      const greylisting = patch.greylisting ?? current.greylisting;
      this.#sql(
        `INSERT INTO domain_spam_settings (domain_id, junk_score, reject_score, greylisting, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (domain_id) DO UPDATE SET junk_score = excluded.junk_score,
             reject_score = excluded.reject_score, greylisting = excluded.greylisting, updated_at = excluded.updated_at`,
      ).run(domainId, junk, reject, greylisting ? 1 : 0, Date.now());
      for (const [list, entries] of [
        ['allow', allow],
        ['block', block],
      ] as const) {
        if (!entries) continue;
        this.#sql('DELETE FROM domain_spam_lists WHERE domain_id = ? AND list = ?').run(domainId, list);
        const insert = this.#sql(
          'INSERT INTO domain_spam_lists (domain_id, list, entry, created_at) VALUES (?, ?, ?, ?)',
        );
        for (const entry of entries) insert.run(domainId, list, entry, Date.now());
      }
    });
    write.immediate();
    return this.get(domainId);
  }

  /**
   * One greylisting look at a triplet, atomic across processes: unknown or forgotten → recorded, 'defer'; known
   * but too early → 'defer'; known and retried after retry_after → 'pass', remembered again for expiryMs.
   */
  greylist(triplet: string, now: number, delayMs: number, expiryMs: number): GreylistAnswer {
    if (++this.#writes % SWEEP_EVERY === 0) this.expireGreylist(now);
    const digest = createHash('sha256').update(triplet).digest('base64');
    const look = this.#db.transaction((): GreylistAnswer => {
      const row = this.#sql('SELECT retry_after, expires_at FROM greylist WHERE digest = ?').get(digest) as
        | { retry_after: number; expires_at: number }
        | undefined;
      if (!row || row.expires_at <= now) {
        this.#sql(
          `INSERT INTO greylist (digest, retry_after, expires_at) VALUES (?, ?, ?)
             ON CONFLICT (digest) DO UPDATE SET retry_after = excluded.retry_after, expires_at = excluded.expires_at`,
        ).run(digest, now + delayMs, now + delayMs + expiryMs);
        return { pass: false, retryAfter: new Date(now + delayMs) };
      }
      if (row.retry_after > now) return { pass: false, retryAfter: new Date(row.retry_after) };
      this.#sql('UPDATE greylist SET expires_at = ? WHERE digest = ?').run(now + expiryMs, digest);
      return { pass: true, retryAfter: new Date(row.retry_after) };
    });
    return look.immediate();
  }

  expireGreylist(now: number): number {
    return this.#sql('DELETE FROM greylist WHERE expires_at <= ?').run(now).changes;
  }
}
