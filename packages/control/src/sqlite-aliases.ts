/**
 * The aliases table of control.db: forwarding addresses, mailbox credentials, the catch-all ('*') and pattern
 * aliases (pattern_kind 'wildcard' or 'regex', alias-patterns.ts; the partial index aliases_patterns lists a
 * domain's few patterns). Exact names and wildcards are lowercased; (domain_id, name) is unique.
 */
import { ConflictError, ValidationError } from '@mailyard/errors';
import { normalizeDomain, normalizeRecipient } from './addresses.js';
import { checkedDisabledAnswer, normalizeLabels } from './alias-fields.js';
import {
  ALIAS_PATTERN_LIMITS,
  type ClassifiedName,
  classifyAliasName,
  type PatternEntry,
  patternOrder,
} from './alias-patterns.js';
import { newId } from './secrets.js';
import { isUniqueViolation, pageOf, type StatementFor } from './sqlite-queries.js';
import { type AliasRow, toAlias } from './sqlite-rows.js';
import type { Alias, AliasPatch, ListQuery, NewAlias, Page } from './types.js';

function normalizeRecipients(list: string[]): string[] {
  return list.map((address) => {
    const normalized = normalizeRecipient(address);
    if (!normalized) throw new ValidationError(`invalid recipient address: ${address}`, 'recipients');
    return normalized;
  });
}

/** A send-as entry: an exact address or '*@domain', normalized; null when it is neither. */
function normalizeSendAs(entry: string): string | null {
  const trimmed = entry.trim();
  if (!trimmed.startsWith('*@')) return normalizeRecipient(trimmed);
  const domain = normalizeDomain(trimmed.slice(2));
  return domain ? `*@${domain}` : null;
}

/** Domains whose pattern lists are cached at most: a bound, not a working-set estimate. */
const MAX_CACHED_DOMAINS = 1000;

export class SqliteAliasTable {
  readonly #sql: StatementFor;
  /** Each domain's patterns in routing order; valid while no connection committed (PRAGMA data_version). */
  readonly #patterns = new Map<string, PatternEntry[]>();
  #patternsVersion = -1;

  constructor(sql: StatementFor) {
    this.#sql = sql;
  }

  create(domainId: string, input: NewAlias): Alias {
    const { name, kind } = this.#checkedName(domainId, input.name, null);
    const recipients = normalizeRecipients(input.recipients ?? []);
    const canSendAs = this.#checkedSendAs(domainId, input.canSendAs ?? []);
    const id = newId();
    const now = Date.now();
    const labels = normalizeLabels(input.labels ?? []);
    const disabledAnswer = checkedDisabledAnswer(input.errorCodeIfDisabled ?? 250);
    this.#write(name, () =>
      this.#sql(
        `INSERT INTO aliases (id, domain_id, name, recipients, has_imap, is_enabled, description, created_at,
           updated_at, can_send_as, pattern_kind, labels, error_code_if_disabled, has_recipient_verification)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        domainId,
        name,
        JSON.stringify(recipients),
        input.hasImap ? 1 : 0,
        input.isEnabled === false ? 0 : 1,
        input.description ?? '',
        now,
        now,
        JSON.stringify(canSendAs),
        kind,
        JSON.stringify(labels),
        disabledAnswer,
        input.hasRecipientVerification ? 1 : 0,
      ),
    );
    return toAlias(this.#row(id));
  }

  find(domainId: string, idOrName: string): Alias | null {
    // A regular expression keeps its case, other names are lowercase.
    const row = this.#sql('SELECT * FROM aliases WHERE domain_id = ? AND (id = ? OR name = ? OR name = ?)').get(
      domainId,
      idOrName,
      idOrName,
      idOrName.toLowerCase(),
    ) as AliasRow | undefined;
    return row ? toAlias(row) : null;
  }

  list(domainId: string, query: ListQuery): Page<Alias> {
    const counted = () =>
      (this.#sql('SELECT alias_count FROM domains WHERE id = ?').pluck().get(domainId) as number) ?? 0;
    const page = pageOf<AliasRow>(this.#sql, 'aliases', 'domain_id', domainId, query, counted);
    return { ...page, items: page.items.map(toAlias) };
  }

  update(domainId: string, aliasId: string, patch: AliasPatch): Alias | null {
    const current = this.find(domainId, aliasId);
    if (!current) return null;
    const { name, kind } =
      patch.name === undefined
        ? { name: current.name, kind: current.patternKind }
        : this.#checkedName(domainId, patch.name, current.id);
    const recipients = patch.recipients ? normalizeRecipients(patch.recipients) : current.recipients;
    const canSendAs = patch.canSendAs ? this.#checkedSendAs(domainId, patch.canSendAs) : current.canSendAs;
    const labels = patch.labels ? normalizeLabels(patch.labels) : current.labels;
    const disabledAnswer = checkedDisabledAnswer(patch.errorCodeIfDisabled ?? current.errorCodeIfDisabled);
    const verification = patch.hasRecipientVerification ?? current.hasRecipientVerification;
    this.#write(name, () =>
      this.#sql(
        `UPDATE aliases SET name = ?, recipients = ?, has_imap = ?, is_enabled = ?, description = ?, updated_at = ?,
           can_send_as = ?, pattern_kind = ?, labels = ?, error_code_if_disabled = ?, has_recipient_verification = ?
           WHERE id = ?`,
      ).run(
        name,
        JSON.stringify(recipients),
        (patch.hasImap ?? current.hasImap) ? 1 : 0,
        (patch.isEnabled ?? current.isEnabled) ? 1 : 0,
        patch.description ?? current.description,
        Date.now(),
        JSON.stringify(canSendAs),
        kind,
        JSON.stringify(labels),
        disabledAnswer,
        verification ? 1 : 0,
        current.id,
      ),
    );
    return toAlias(this.#row(current.id));
  }

  delete(domainId: string, aliasId: string): { mailboxId: string | null } | null {
    const row = this.#sql('SELECT * FROM aliases WHERE domain_id = ? AND id = ?').get(domainId, aliasId) as
      | AliasRow
      | undefined;
    if (!row) return null;
    this.#patterns.clear();
    this.#sql('DELETE FROM aliases WHERE id = ?').run(row.id);
    return { mailboxId: row.mailbox_id };
  }

  setCredential(aliasId: string, mailboxId: string, passwordHash: string): void {
    this.#sql(
      'UPDATE aliases SET mailbox_id = ?, mailbox_password_hash = ?, has_imap = 1, updated_at = ? WHERE id = ?',
    ).run(mailboxId, passwordHash, Date.now(), aliasId);
  }

  /** An exact alias (or the catch-all) by name: a pattern's name is not an address. */
  rowByName(domainId: string, name: string): AliasRow | undefined {
    return this.#sql("SELECT * FROM aliases WHERE domain_id = ? AND name = ? AND pattern_kind = 'exact'").get(
      domainId,
      name,
    ) as AliasRow | undefined;
  }

  /**
   * The domain's pattern aliases in routing order (patternOrder), read through the partial index aliases_patterns
   * (a domain has few) and cached until any commit: this connection's writes clear the cache, and
   * PRAGMA data_version tells when another connection (another process) committed.
   */
  patterns(domainId: string): PatternEntry[] {
    const version = this.#sql('PRAGMA data_version').pluck().get() as number;
    if (version !== this.#patternsVersion || this.#patterns.size >= MAX_CACHED_DOMAINS) {
      this.#patterns.clear();
      this.#patternsVersion = version;
    }
    let entries = this.#patterns.get(domainId);
    if (!entries) {
      const rows = this.#sql(
        "SELECT id, name, pattern_kind, created_at FROM aliases WHERE domain_id = ? AND pattern_kind != 'exact'",
      ).all(domainId) as Array<Pick<AliasRow, 'id' | 'name' | 'pattern_kind' | 'created_at'>>;
      entries = rows
        .map((row) => ({
          id: row.id,
          name: row.name,
          kind: row.pattern_kind as PatternEntry['kind'],
          createdAt: row.created_at,
        }))
        .sort(patternOrder);
      this.#patterns.set(domainId, entries);
    }
    return entries;
  }

  rowById(id: string): AliasRow | undefined {
    return this.#sql('SELECT * FROM aliases WHERE id = ?').get(id) as AliasRow | undefined;
  }

  /** The classified name; a new pattern beyond ALIAS_PATTERN_LIMITS.maxPerDomain is refused. */
  #checkedName(domainId: string, input: string, aliasId: string | null): ClassifiedName {
    const classified = classifyAliasName(input);
    if (classified.kind === 'exact') return classified;
    const others = this.#sql("SELECT count(*) FROM aliases WHERE domain_id = ? AND pattern_kind != 'exact' AND id != ?")
      .pluck()
      .get(domainId, aliasId ?? '') as number;
    if (others >= ALIAS_PATTERN_LIMITS.maxPerDomain) {
      throw new ValidationError(`at most ${ALIAS_PATTERN_LIMITS.maxPerDomain} pattern aliases per domain`, 'name');
    }
    return classified;
  }

  /** Send-as entries normalized; each names a domain of the same account as `domainId` (ValidationError if not). */
  #checkedSendAs(domainId: string, list: string[]): string[] {
    const owner = this.#sql('SELECT account_id FROM domains WHERE id = ?').pluck().get(domainId);
    return [
      ...new Set(
        list.map((entry) => {
          const normalized = normalizeSendAs(entry);
          if (!normalized) throw new ValidationError(`invalid send-as address: ${entry}`, 'canSendAs');
          const domain = normalized.slice(normalized.lastIndexOf('@') + 1);
          const holder = this.#sql('SELECT account_id FROM domains WHERE name = ?').pluck().get(domain);
          if (holder === undefined || holder !== owner) {
            throw new ValidationError(`send-as domain ${domain} is not a domain of this account`, 'canSendAs');
          }
          return normalized;
        }),
      ),
    ];
  }

  #row(id: string): AliasRow {
    return this.#sql('SELECT * FROM aliases WHERE id = ?').get(id) as AliasRow;
  }

  #write(name: string, write: () => void): void {
    this.#patterns.clear();
    try {
      write();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`alias ${name} already exists`);
      throw err;
    }
  }
}
