/**
 * The domains table of control.db: hosted domains, their sealed DKIM keys, DNS check results and verification.
 *
 * Claiming rules (why: a domain is a claim on other people's mail):
 * - A public suffix (`com`, `co.uk`: the ICANN section of the Public Suffix List) cannot be added.
 * - A name, a parent of it or a subdomain of it that another account holds cannot be added, verified or not:
 *   one account owns a whole subtree. The check and the insert share one IMMEDIATE transaction, so two processes
 *   cannot both pass it.
 * - Except for an admin member of a parent domain held by another account: the subdomain is added to the holder's
 *   account (the subtree stays one account's, its owner an admin member as always) and the member who added it
 *   becomes an admin member of it. A 'user' member, or anyone else, is refused as before.
 * - Only verified domains are hosted for routing (verified_at set): see isHosted and the alias lookup in sqlite.ts.
 */
import { ConflictError, ValidationError } from '@mailyard/errors';
import type Database from 'better-sqlite3-multiple-ciphers';
import { normalizeDomain } from './addresses.js';
import { newId, type SecretBox } from './secrets.js';
import { isUniqueViolation, pageOf, type StatementFor } from './sqlite-queries.js';
import { type DomainRow, toDomain } from './sqlite-rows.js';
import type { DnsCheckResult, Domain, DomainPatch, DomainVerifier, ListQuery, NewDomain, Page } from './types.js';

/**
 * The ASCII name, or ValidationError when it is not a host name or is a public suffix. The Public Suffix List
 * (tldts) is loaded on the first domain added, not at start-up: it costs every process that opens the store a
 * noticeable import, and only adding a domain needs it.
 */
async function claimableName(input: string): Promise<string> {
  const name = normalizeDomain(input);
  if (!name) throw new ValidationError(`invalid domain name: ${input}`, 'name');
  const { getDomain } = await import('tldts');
  if (getDomain(name) === null) {
    throw new ValidationError(`${name} is a public suffix: add a domain registered under it`, 'name');
  }
  return name;
}

/** Every parent of `name` with at least two labels: a.b.example.test -> b.example.test, example.test. */
function parentsOf(name: string): string[] {
  const labels = name.split('.');
  return labels.slice(1, -1).map((_, i) => labels.slice(i + 1).join('.'));
}

export class SqliteDomainTable {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;
  readonly #dkimBox: SecretBox;

  constructor(db: Database.Database, sql: StatementFor, dkimBox: SecretBox) {
    this.#db = db;
    this.#sql = sql;
    this.#dkimBox = dkimBox;
  }

  async create(input: NewDomain): Promise<Domain> {
    const name = await claimableName(input.name);
    const id = newId();
    const now = Date.now();
    let owner = input.accountId;
    const insert = this.#db.transaction(() => {
      owner = this.#parentHeldFor(name, input.accountId) ?? input.accountId;
      this.#refuseForeignClaim(name, owner);
      this.#sql(
        `INSERT INTO domains (id, account_id, name, verification_token, dkim_selector, dkim_public_key,
             dkim_private_key, dmarc_policy, description, verified_at, verified_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        owner,
        name,
        input.verificationToken,
        input.dkim.selector,
        input.dkim.publicKey,
        this.#dkimBox.seal(Buffer.from(input.dkim.privateKeyPem), id),
        input.dmarcPolicy ?? 'quarantine',
        input.description ?? '',
        input.verified ? now : null,
        input.verified ? 'admin' : null,
        now,
      );
      // The owner manages the domain as its first admin member (sqlite-members.ts); a parent's admin who added it
      // for the owner is one too.
      const member = this.#sql(
        "INSERT INTO domain_members (domain_id, account_id, role, created_at) VALUES (?, ?, 'admin', ?)",
      );
      member.run(id, owner, now);
      if (owner !== input.accountId) member.run(id, input.accountId, now);
    });
    try {
      insert.immediate();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`domain ${name} is already registered`);
      throw err;
    }
    return toDomain(this.row(id) as DomainRow);
  }

  /**
   * The account holding a parent of `name` when `accountId` is not it but is an admin member of one of the parents
   * that account holds; null otherwise (then the usual claim check decides).
   */
  #parentHeldFor(name: string, accountId: string): string | null {
    const parents = parentsOf(name);
    if (parents.length === 0) return null;
    const marks = parents.map(() => '?').join(', ');
    const holder = this.#sql(
      `SELECT d.account_id FROM domains d JOIN domain_members m ON m.domain_id = d.id
         WHERE d.name IN (${marks}) AND d.account_id != ? AND m.account_id = ? AND m.role = 'admin'
         ORDER BY length(d.name) DESC LIMIT 1`,
    )
      .pluck()
      .get(...parents, accountId, accountId) as string | undefined;
    return holder ?? null;
  }

  /** ConflictError when another account holds `name`, one of its parents or one of its subdomains. */
  #refuseForeignClaim(name: string, accountId: string): void {
    const parents = parentsOf(name);
    const marks = parents.map(() => '?').join(', ') || "''";
    const held = this.#sql(
      `SELECT name FROM domains WHERE account_id != ? AND (name = ? OR name IN (${marks}) OR name LIKE ?)
         ORDER BY length(name) LIMIT 1`,
    )
      .pluck()
      .get(accountId, name, ...parents, `%.${name}`) as string | undefined;
    if (held === undefined) return;
    const relation = held === name ? '' : parents.includes(held) ? ` (${held}, a parent domain)` : ` (${held})`;
    throw new ConflictError(
      `domain ${name} cannot be added: another account holds it${relation}. A domain, its parents and its ` +
        'subdomains belong to one account; ask your administrator if the domain is yours.',
    );
  }

  /** The domain by id or name when the account is a member of it (any role); null otherwise. */
  find(accountId: string, idOrName: string): Domain | null {
    const name = normalizeDomain(idOrName) ?? '';
    const row = this.#sql(
      `SELECT d.* FROM domains d JOIN domain_members m ON m.domain_id = d.id AND m.account_id = ?
         WHERE d.id = ? OR d.name = ?`,
    ).get(accountId, idOrName, name) as DomainRow | undefined;
    return row ? toDomain(row) : null;
  }

  list(accountId: string, query: ListQuery): Page<Domain> {
    const page = pageOf<DomainRow>(this.#sql, 'domains', 'member_account_id', accountId, query);
    return { ...page, items: page.items.map(toDomain) };
  }

  update(accountId: string, domainId: string, patch: DomainPatch): Domain | null {
    const current = this.find(accountId, domainId);
    if (!current) return null;
    const verification = patch.hasRecipientVerification ?? current.hasRecipientVerification;
    this.#sql('UPDATE domains SET dmarc_policy = ?, description = ?, has_recipient_verification = ? WHERE id = ?').run(
      patch.dmarcPolicy ?? current.dmarcPolicy,
      patch.description ?? current.description,
      verification ? 1 : 0,
      current.id,
    );
    return toDomain(this.row(current.id) as DomainRow);
  }

  delete(accountId: string, domainId: string): { mailboxIds: string[] } | null {
    const remove = this.#db.transaction(() => {
      const mailboxIds = this.#sql(
        `SELECT a.mailbox_id FROM aliases a JOIN domains d ON d.id = a.domain_id
           WHERE d.id = ? AND d.account_id = ? AND a.mailbox_id IS NOT NULL`,
      )
        .pluck()
        .all(domainId, accountId) as string[];
      const result = this.#sql('DELETE FROM domains WHERE id = ? AND account_id = ?').run(domainId, accountId);
      return result.changes === 1 ? { mailboxIds } : null;
    });
    return remove.immediate();
  }

  recordDnsCheck(domainId: string, result: DnsCheckResult): void {
    this.#sql('UPDATE domains SET last_dns_check = ? WHERE id = ?').run(JSON.stringify(result), domainId);
  }

  setVerification(domainId: string, by: DomainVerifier | null): Domain | null {
    this.#sql('UPDATE domains SET verified_at = ?, verified_by = ? WHERE id = ?').run(
      by ? Date.now() : null,
      by,
      domainId,
    );
    const row = this.row(domainId);
    return row ? toDomain(row) : null;
  }

  /** Verified domains only: the one routing question every protocol asks. */
  isHosted(name: string): boolean {
    return this.verifiedRow(name) !== undefined;
  }

  byName(name: string): Domain | null {
    const ascii = normalizeDomain(name);
    const row = ascii ? this.rowByName(ascii) : undefined;
    return row ? toDomain(row) : null;
  }

  listAll(): Domain[] {
    return (this.#sql('SELECT * FROM domains ORDER BY name').all() as DomainRow[]).map(toDomain);
  }

  dkimKey(domainName: string): { selector: string; privateKeyPem: string } | null {
    const ascii = normalizeDomain(domainName);
    const row = ascii ? this.rowByName(ascii) : undefined;
    if (!row) return null;
    return { selector: row.dkim_selector, privateKeyPem: this.#dkimBox.open(row.dkim_private_key, row.id).toString() };
  }

  row(id: string): DomainRow | undefined {
    return this.#sql('SELECT * FROM domains WHERE id = ?').get(id) as DomainRow | undefined;
  }

  rowByName(ascii: string): DomainRow | undefined {
    return this.#sql('SELECT * FROM domains WHERE name = ?').get(ascii) as DomainRow | undefined;
  }

  /** The row of a verified domain by any spelling of its name; undefined when unknown or not verified. */
  verifiedRow(name: string): DomainRow | undefined {
    const ascii = normalizeDomain(name);
    if (!ascii) return undefined;
    return this.#sql('SELECT * FROM domains WHERE name = ? AND verified_at IS NOT NULL').get(ascii) as
      | DomainRow
      | undefined;
  }
}
