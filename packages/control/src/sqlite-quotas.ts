/**
 * Quota settings and last known usage in control.db (schema 14): aliases.max_quota, max_messages, storage_used,
 * message_count and domains.max_quota_per_alias, max_quota. quotas.ts decides what they mean together.
 */
import type { AliasQuotaPatch, DomainQuota, DomainQuotaPatch, MailboxQuotaRecord, MailboxUsage } from './quotas.js';
import type { StatementFor } from './sqlite-queries.js';

interface RecordRow {
  alias_id: string;
  domain_id: string;
  max_quota: number | null;
  max_messages: number | null;
  storage_used: number;
  message_count: number;
  max_quota_per_alias: number | null;
  domain_max_quota: number | null;
  domain_storage_used: number | null;
}

const RECORD_SQL = `SELECT a.id AS alias_id, a.domain_id, a.max_quota, a.max_messages, a.storage_used, a.message_count,
    d.max_quota_per_alias, d.max_quota AS domain_max_quota,
    CASE WHEN d.max_quota IS NULL THEN NULL
      ELSE (SELECT COALESCE(SUM(storage_used), 0) FROM aliases WHERE domain_id = a.domain_id) END AS domain_storage_used
  FROM aliases a JOIN domains d ON d.id = a.domain_id`;

/** RECORD_SQL without the domain's summed usage (byAliases works it out once per domain). */
const PAGE_SQL = `SELECT a.id AS alias_id, a.domain_id, a.max_quota, a.max_messages, a.storage_used, a.message_count,
    d.max_quota_per_alias, d.max_quota AS domain_max_quota
  FROM aliases a JOIN domains d ON d.id = a.domain_id`;
const DOMAIN_USED_SQL = 'SELECT COALESCE(SUM(storage_used), 0) FROM aliases WHERE domain_id = ?';

function toRecord(row: RecordRow): MailboxQuotaRecord {
  return {
    aliasId: row.alias_id,
    domainId: row.domain_id,
    maxQuota: row.max_quota,
    maxMessages: row.max_messages,
    storageUsed: row.storage_used,
    messageCount: row.message_count,
    domainMaxQuotaPerAlias: row.max_quota_per_alias,
    domainMaxQuota: row.domain_max_quota,
    domainStorageUsed: row.domain_storage_used,
  };
}

export class SqliteQuotaTable {
  readonly #sql: StatementFor;

  constructor(sql: StatementFor) {
    this.#sql = sql;
  }

  byAlias(aliasId: string): MailboxQuotaRecord | null {
    const row = this.#sql(`${RECORD_SQL} WHERE a.id = ?`).get(aliasId) as RecordRow | undefined;
    return row ? toRecord(row) : null;
  }

  /**
   * byAlias for many aliases at once (a page of a listing): one query for the rows and the domain's summed usage
   * once per domain (when it has a max_quota), where byAlias sums the domain's aliases for every alias.
   */
  byAliases(aliasIds: readonly string[]): Map<string, MailboxQuotaRecord> {
    const found = new Map<string, MailboxQuotaRecord>();
    if (aliasIds.length === 0) return found;
    const rows = this.#sql(`${PAGE_SQL} WHERE a.id IN (SELECT value FROM json_each(?))`).all(
      JSON.stringify(aliasIds),
    ) as Omit<RecordRow, 'domain_storage_used'>[];
    const domainUsed = new Map<string, number>();
    for (const row of rows) {
      let used = domainUsed.get(row.domain_id) ?? null;
      if (used === null && row.domain_max_quota !== null) {
        used = this.#sql(DOMAIN_USED_SQL).pluck().get(row.domain_id) as number;
        domainUsed.set(row.domain_id, used);
      }
      found.set(row.alias_id, toRecord({ ...row, domain_storage_used: used }));
    }
    return found;
  }

  byMailbox(mailboxId: string): MailboxQuotaRecord | null {
    const row = this.#sql(`${RECORD_SQL} WHERE a.mailbox_id = ?`).get(mailboxId) as RecordRow | undefined;
    return row ? toRecord(row) : null;
  }

  setAlias(aliasId: string, patch: AliasQuotaPatch): boolean {
    const current = this.byAlias(aliasId);
    if (!current) return false;
    this.#sql('UPDATE aliases SET max_quota = ?, max_messages = ?, updated_at = ? WHERE id = ?').run(
      patch.maxQuota === undefined ? current.maxQuota : patch.maxQuota,
      patch.maxMessages === undefined ? current.maxMessages : patch.maxMessages,
      Date.now(),
      aliasId,
    );
    return true;
  }

  domain(domainId: string): DomainQuota | null {
    const row = this.#sql(
      `SELECT d.max_quota_per_alias, d.max_quota,
         (SELECT COALESCE(SUM(storage_used), 0) FROM aliases WHERE domain_id = d.id) AS storage_used,
         (SELECT COALESCE(SUM(message_count), 0) FROM aliases WHERE domain_id = d.id) AS message_count
       FROM domains d WHERE d.id = ?`,
    ).get(domainId) as
      | { max_quota_per_alias: number | null; max_quota: number | null; storage_used: number; message_count: number }
      | undefined;
    if (!row) return null;
    return {
      maxQuotaPerAlias: row.max_quota_per_alias,
      maxQuota: row.max_quota,
      storageUsed: row.storage_used,
      messageCount: row.message_count,
    };
  }

  setDomain(domainId: string, patch: DomainQuotaPatch): boolean {
    const current = this.domain(domainId);
    if (!current) return false;
    this.#sql('UPDATE domains SET max_quota_per_alias = ?, max_quota = ? WHERE id = ?').run(
      patch.maxQuotaPerAlias === undefined ? current.maxQuotaPerAlias : patch.maxQuotaPerAlias,
      patch.maxQuota === undefined ? current.maxQuota : patch.maxQuota,
      domainId,
    );
    return true;
  }

  /** The usage a session of the mailbox reported; a mailbox no alias names any more is ignored. */
  recordUsage(mailboxId: string, usage: MailboxUsage): void {
    this.#sql('UPDATE aliases SET storage_used = ?, message_count = ? WHERE mailbox_id = ?').run(
      usage.bytes,
      usage.messages,
      mailboxId,
    );
  }
}
