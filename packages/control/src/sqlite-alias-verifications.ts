/**
 * alias_recipient_verifications of control.db: for an alias with has_recipient_verification, one row per external
 * forward recipient (an address at a domain not hosted here) with the SHA-256 digest of the token its verification
 * email carries, when the email was issued and when the recipient confirmed. Until verified_at is set the MX
 * does not forward to that recipient. A token is never stored in clear; it is shown once, to be sent.
 */

import { newTokenSecret, tokenDigest } from './secrets.js';
import type { StatementFor } from './sqlite-queries.js';
import type { AliasRow } from './sqlite-rows.js';
import type {
  IssuedRecipientVerification,
  RecipientVerification,
  RecipientVerificationLink,
  ReissuedVerification,
} from './types.js';
import { isWebhookUrl } from './webhook-urls.js';

interface VerificationRow {
  alias_id: string;
  recipient: string;
  token_digest: string;
  sent_at: number;
  verified_at: number | null;
}

export class SqliteAliasVerificationTable {
  readonly #sql: StatementFor;
  readonly #isHosted: (domain: string) => boolean;

  constructor(sql: StatementFor, isHosted: (domain: string) => boolean) {
    this.#sql = sql;
    this.#isHosted = isHosted;
  }

  /** The alias's external forward recipients: the ones verification applies to. */
  externalRecipients(alias: Pick<AliasRow, 'recipients'>): string[] {
    const recipients = JSON.parse(alias.recipients) as string[];
    return recipients.filter((r) => !isWebhookUrl(r) && !this.#isHosted(r.slice(r.lastIndexOf('@') + 1)));
  }

  /** Rows for new external recipients (tokens to send), rows of recipients no longer listed removed. */
  sync(aliasId: string): IssuedRecipientVerification[] {
    // On by the alias's own setting or by its domain's.
    const alias = this.#sql(
      `SELECT a.recipients, max(a.has_recipient_verification, d.has_recipient_verification) AS has_recipient_verification
         FROM aliases a JOIN domains d ON d.id = a.domain_id WHERE a.id = ?`,
    ).get(aliasId) as Pick<AliasRow, 'recipients' | 'has_recipient_verification'> | undefined;
    if (!alias) return [];
    const external = this.externalRecipients(alias);
    const known = new Set(
      this.#sql('SELECT recipient FROM alias_recipient_verifications WHERE alias_id = ?')
        .pluck()
        .all(aliasId) as string[],
    );
    for (const recipient of known) {
      if (!external.includes(recipient)) {
        this.#sql('DELETE FROM alias_recipient_verifications WHERE alias_id = ? AND recipient = ?').run(
          aliasId,
          recipient,
        );
      }
    }
    if (alias.has_recipient_verification !== 1) return [];
    const issued: IssuedRecipientVerification[] = [];
    for (const recipient of external.filter((r) => !known.has(r))) {
      const token = newTokenSecret();
      this.#sql(
        `INSERT INTO alias_recipient_verifications (alias_id, recipient, token_digest, sent_at)
         VALUES (?, ?, ?, ?)`,
      ).run(aliasId, recipient, tokenDigest(token), Date.now());
      issued.push({ aliasId, recipient, token });
    }
    return issued;
  }

  /**
   * A new token for a recipient still awaiting confirmation, replacing the one sent before (its link stops
   * working), unless the last email went out less than `minIntervalMs` ago. 'unknown' for a recipient the alias
   * does not verify, 'verified' for one that already confirmed.
   */
  reissue(aliasId: string, recipient: string, minIntervalMs: number, now = Date.now()): ReissuedVerification {
    const row = this.#sql('SELECT * FROM alias_recipient_verifications WHERE alias_id = ? AND recipient = ?').get(
      aliasId,
      recipient.toLowerCase(),
    ) as VerificationRow | undefined;
    if (!row) return { outcome: 'unknown' };
    if (row.verified_at !== null) return { outcome: 'verified' };
    const wait = row.sent_at + minIntervalMs - now;
    if (wait > 0) return { outcome: 'too-soon', retryAfterMs: wait };
    const token = newTokenSecret();
    this.#sql(
      'UPDATE alias_recipient_verifications SET token_digest = ?, sent_at = ? WHERE alias_id = ? AND recipient = ?',
    ).run(tokenDigest(token), now, aliasId, row.recipient);
    return { outcome: 'issued', issued: { aliasId, recipient: row.recipient, token } };
  }

  list(aliasId: string): RecipientVerification[] {
    const rows = this.#sql('SELECT * FROM alias_recipient_verifications WHERE alias_id = ? ORDER BY recipient').all(
      aliasId,
    ) as VerificationRow[];
    return rows.map((row) => ({
      recipient: row.recipient,
      sentAt: new Date(row.sent_at),
      verifiedAt: row.verified_at === null ? null : new Date(row.verified_at),
    }));
  }

  /** Verified recipients of the alias (lowercase addresses). */
  verified(aliasId: string): Set<string> {
    return new Set(
      this.#sql('SELECT recipient FROM alias_recipient_verifications WHERE alias_id = ? AND verified_at IS NOT NULL')
        .pluck()
        .all(aliasId) as string[],
    );
  }

  /** The recipient, alias and state a token stands for, without changing anything; null for an unknown token. */
  describe(token: string): RecipientVerificationLink | null {
    const row = this.#sql(
      `SELECT v.alias_id, v.recipient, v.verified_at, a.name AS alias_name, d.name AS domain_name
         FROM alias_recipient_verifications v
         JOIN aliases a ON a.id = v.alias_id JOIN domains d ON d.id = a.domain_id
        WHERE v.token_digest = ?`,
    ).get(tokenDigest(token)) as
      | { alias_id: string; recipient: string; verified_at: number | null; alias_name: string; domain_name: string }
      | undefined;
    if (!row) return null;
    return {
      aliasId: row.alias_id,
      aliasName: row.alias_name,
      domainName: row.domain_name,
      recipient: row.recipient,
      verifiedAt: row.verified_at === null ? null : new Date(row.verified_at),
    };
  }

  /** Sets verified_at (once: a second confirmation keeps the first time); null for an unknown token. */
  confirm(token: string): { aliasId: string; recipient: string } | null {
    const digest = tokenDigest(token);
    const row = this.#sql('SELECT * FROM alias_recipient_verifications WHERE token_digest = ?').get(digest) as
      | VerificationRow
      | undefined;
    if (!row) return null;
    this.#sql(
      'UPDATE alias_recipient_verifications SET verified_at = ? WHERE token_digest = ? AND verified_at IS NULL',
    ).run(Date.now(), digest);
    return { aliasId: row.alias_id, recipient: row.recipient };
  }
}
