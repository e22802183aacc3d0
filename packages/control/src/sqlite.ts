/**
 * SqliteControlStore: the embedded ControlStore backend. One file, `<dataDir>/control.db`, encrypted with
 * ChaCha20-Poly1305 (SQLite3 Multiple Ciphers) under a raw key derived from the master key ('control.db'),
 * WAL journal, foreign keys on, busy timeout so that several processes (api, smtp, jobs) share it.
 * All SQL of the control store lives in this file and its sqlite-* siblings.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deriveKey } from '@mailyard/config';
import { ConflictError, ValidationError } from '@mailyard/errors';
import Database from 'better-sqlite3-multiple-ciphers';
import { normalizeDomain, splitAddress, stripSubaddress } from './addresses.js';
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  newId,
  newTokenSecret,
  type ScryptCost,
  SecretBox,
  tokenDigest,
  verifyPassword,
} from './secrets.js';
import { SqliteAccountTable } from './sqlite-accounts.js';
import { SqliteAliasTable } from './sqlite-aliases.js';
import { isUniqueViolation, pageOf, type StatementFor, statementCache } from './sqlite-queries.js';
import { DEFAULT_LEASE_MS, SqliteOutboundQueue } from './sqlite-queue.js';
import { type AliasRow, type DomainRow, type TokenRow, toAlias, toDomain, toToken } from './sqlite-rows.js';
import { migrate } from './sqlite-schema.js';
import { SqliteSessionTable } from './sqlite-sessions.js';
import type * as T from './types.js';

export interface SqliteControlStoreOptions {
  dataDir: string;
  masterKey: Buffer;
  /** Lower only in tests. */
  scryptCost?: ScryptCost;
  busyTimeoutMs?: number;
}

/** lastUsedAt is written at most this often per token, so authenticated reads do not all become writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class SqliteControlStore implements T.ControlStore {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;
  readonly #dkimBox: SecretBox;
  readonly #queue: SqliteOutboundQueue;
  readonly #aliases: SqliteAliasTable;
  readonly #sessions: SqliteSessionTable;
  readonly #accounts: SqliteAccountTable;
  readonly #cost: ScryptCost;

  constructor(opts: SqliteControlStoreOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    this.#db = new Database(join(opts.dataDir, 'control.db'));
    const key = deriveKey(opts.masterKey, 'control.db').toString('hex');
    this.#db.pragma(`cipher='chacha20'`);
    this.#db.pragma(`key="x'${key}'"`);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    migrate(this.#db);
    this.#sql = statementCache(this.#db);
    this.#aliases = new SqliteAliasTable(this.#sql);
    this.#sessions = new SqliteSessionTable(this.#sql);
    this.#dkimBox = new SecretBox(deriveKey(opts.masterKey, 'control.dkim'));
    this.#queue = new SqliteOutboundQueue(this.#db, new SecretBox(deriveKey(opts.masterKey, 'control.queue')));
    this.#cost = opts.scryptCost ?? DEFAULT_SCRYPT_COST;
    this.#accounts = new SqliteAccountTable(this.#db, this.#sql, this.#cost);
  }

  // accounts

  async countAccounts(): Promise<number> {
    return this.#accounts.count();
  }

  async createAccount(input: T.NewAccount): Promise<T.Account> {
    return this.#accounts.create(input);
  }

  async getAccount(id: string): Promise<T.Account | null> {
    return this.#accounts.get(id);
  }

  async verifyAccountPassword(email: string, password: string): Promise<T.Account | null> {
    return this.#accounts.verifyPassword(email, password);
  }

  async setAccountPassword(accountId: string, password: string): Promise<boolean> {
    return this.#accounts.setPassword(accountId, password);
  }

  async findAccountByEmail(email: string): Promise<T.Account | null> {
    return this.#accounts.findByEmail(email);
  }

  // API tokens

  async createToken(accountId: string, name: string): Promise<T.IssuedToken> {
    const secret = newTokenSecret();
    const id = newId();
    this.#sql('INSERT INTO api_tokens (id, account_id, name, digest, created_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      accountId,
      name,
      tokenDigest(secret),
      Date.now(),
    );
    const row = this.#sql('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenRow;
    return { token: toToken(row), secret };
  }

  async listTokens(accountId: string): Promise<T.ApiToken[]> {
    const rows = this.#sql('SELECT * FROM api_tokens WHERE account_id = ? ORDER BY created_at, rowid').all(
      accountId,
    ) as TokenRow[];
    return rows.map(toToken);
  }

  async revokeToken(accountId: string, tokenId: string): Promise<boolean> {
    const result = this.#sql(
      'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL',
    ).run(Date.now(), tokenId, accountId);
    return result.changes === 1;
  }

  async authenticateToken(secret: string): Promise<{ account: T.Account; token: T.ApiToken } | null> {
    const row = this.#sql('SELECT * FROM api_tokens WHERE digest = ? AND revoked_at IS NULL').get(
      tokenDigest(secret),
    ) as TokenRow | undefined;
    if (!row) return null;
    const account = await this.getAccount(row.account_id);
    if (!account) return null;
    const now = Date.now();
    if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
      this.#sql('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
      row.last_used_at = now;
    }
    return { account, token: toToken(row) };
  }

  // dashboard sessions

  async createSession(accountId: string, maxAgeMs: number): Promise<T.IssuedSession> {
    return this.#sessions.create(accountId, maxAgeMs);
  }

  async getSession(secret: string): Promise<T.WebSession | null> {
    return this.#sessions.get(secret);
  }

  async touchSession(secret: string, note: string | null): Promise<boolean> {
    return this.#sessions.touch(secret, note);
  }

  async deleteSession(secret: string): Promise<void> {
    this.#sessions.delete(secret);
  }

  async deleteSessionsForAccount(accountId: string, keepSecret?: string): Promise<number> {
    return this.#sessions.deleteForAccount(accountId, keepSecret);
  }

  async expireSessions(now = new Date()): Promise<number> {
    return this.#sessions.expire(now.getTime());
  }

  // domains

  async createDomain(input: T.NewDomain): Promise<T.Domain> {
    const name = normalizeDomain(input.name);
    if (!name) throw new ValidationError(`invalid domain name: ${input.name}`, 'name');
    const id = newId();
    try {
      this.#sql(
        `INSERT INTO domains (id, account_id, name, verification_token, dkim_selector, dkim_public_key,
             dkim_private_key, dmarc_policy, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        input.accountId,
        name,
        input.verificationToken,
        input.dkim.selector,
        input.dkim.publicKey,
        this.#dkimBox.seal(Buffer.from(input.dkim.privateKeyPem), id),
        input.dmarcPolicy ?? 'quarantine',
        input.description ?? '',
        Date.now(),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`domain ${name} is already registered`);
      throw err;
    }
    return toDomain(this.#domainRow(id) as DomainRow);
  }

  async findDomain(accountId: string, idOrName: string): Promise<T.Domain | null> {
    const name = normalizeDomain(idOrName) ?? '';
    const row = this.#sql('SELECT * FROM domains WHERE account_id = ? AND (id = ? OR name = ?)').get(
      accountId,
      idOrName,
      name,
    ) as DomainRow | undefined;
    return row ? toDomain(row) : null;
  }

  async listDomains(accountId: string, query: T.ListQuery): Promise<T.Page<T.Domain>> {
    const page = pageOf<DomainRow>(this.#sql, 'domains', 'account_id', accountId, query);
    return { ...page, items: page.items.map(toDomain) };
  }

  async updateDomain(accountId: string, domainId: string, patch: T.DomainPatch): Promise<T.Domain | null> {
    const current = await this.findDomain(accountId, domainId);
    if (!current) return null;
    this.#sql('UPDATE domains SET dmarc_policy = ?, description = ? WHERE id = ?').run(
      patch.dmarcPolicy ?? current.dmarcPolicy,
      patch.description ?? current.description,
      current.id,
    );
    return toDomain(this.#domainRow(current.id) as DomainRow);
  }

  async deleteDomain(accountId: string, domainId: string): Promise<{ mailboxIds: string[] } | null> {
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

  async recordDnsCheck(domainId: string, result: T.DnsCheckResult): Promise<void> {
    this.#sql('UPDATE domains SET last_dns_check = ? WHERE id = ?').run(JSON.stringify(result), domainId);
  }

  async isHostedDomain(name: string): Promise<boolean> {
    const ascii = normalizeDomain(name);
    if (!ascii) return false;
    return this.#sql('SELECT 1 FROM domains WHERE name = ?').get(ascii) !== undefined;
  }

  async findDomainByName(name: string): Promise<T.Domain | null> {
    const ascii = normalizeDomain(name);
    const row = ascii ? this.#domainByName(ascii) : undefined;
    return row ? toDomain(row) : null;
  }

  async listAllDomains(): Promise<T.Domain[]> {
    const rows = this.#sql('SELECT * FROM domains ORDER BY name').all() as DomainRow[];
    return rows.map(toDomain);
  }

  async getDkimKey(domainName: string): Promise<{ selector: string; privateKeyPem: string } | null> {
    const ascii = normalizeDomain(domainName);
    const row = ascii ? this.#domainByName(ascii) : undefined;
    if (!row) return null;
    const pem = this.#dkimBox.open(row.dkim_private_key, row.id).toString();
    return { selector: row.dkim_selector, privateKeyPem: pem };
  }

  // aliases

  async createAlias(domainId: string, input: T.NewAlias): Promise<T.Alias> {
    return this.#aliases.create(domainId, input);
  }

  async findAlias(domainId: string, idOrName: string): Promise<T.Alias | null> {
    return this.#aliases.find(domainId, idOrName);
  }

  async listAliases(domainId: string, query: T.ListQuery): Promise<T.Page<T.Alias>> {
    return this.#aliases.list(domainId, query);
  }

  async updateAlias(domainId: string, aliasId: string, patch: T.AliasPatch): Promise<T.Alias | null> {
    return this.#aliases.update(domainId, aliasId, patch);
  }

  async deleteAlias(domainId: string, aliasId: string): Promise<{ mailboxId: string | null } | null> {
    return this.#aliases.delete(domainId, aliasId);
  }

  async setMailboxCredential(aliasId: string, mailboxId: string, password: string): Promise<void> {
    this.#aliases.setCredential(aliasId, mailboxId, await hashPassword(password, this.#cost));
  }

  async verifyMailboxPassword(address: string, password: string): Promise<T.ResolvedRecipient | null> {
    const parts = splitAddress(address);
    if (!parts) return null;
    const row = this.#aliasByAddress(parts.local, parts.domain);
    if (!row?.alias.is_enabled || !row.alias.mailbox_password_hash) return null;
    if (!(await verifyPassword(password, row.alias.mailbox_password_hash))) return null;
    return { domain: toDomain(row.domain), alias: toAlias(row.alias) };
  }

  async resolveRecipient(address: string): Promise<T.ResolvedRecipient | null> {
    const parts = splitAddress(address);
    if (!parts) return null;
    const base = stripSubaddress(parts.local);
    const candidates = [parts.local, ...(base ? [base] : []), '*'];
    for (const local of candidates) {
      const found = this.#aliasByAddress(local, parts.domain);
      if (!found) continue;
      if (!found.alias.is_enabled) return null;
      return { domain: toDomain(found.domain), alias: toAlias(found.alias) };
    }
    return null;
  }

  // outbound queue

  async enqueue(input: T.NewQueueItem): Promise<T.QueueItemSummary> {
    return this.#queue.enqueue(input);
  }

  async claimDue(workerId: string, now: Date, limit: number, leaseMs = DEFAULT_LEASE_MS): Promise<T.QueueItem[]> {
    return this.#queue.claimDue(workerId, now, limit, leaseMs);
  }

  async recordAttempt(queueId: string, workerId: string, result: T.AttemptResult): Promise<T.QueueItemSummary> {
    return this.#queue.recordAttempt(queueId, workerId, result);
  }

  async complete(queueId: string, workerId: string, state: Exclude<T.QueueState, 'queued'>): Promise<void> {
    this.#queue.complete(queueId, workerId, state);
  }

  async listRecent(limit: number): Promise<T.QueueItemSummary[]> {
    return this.#queue.listRecent(limit);
  }

  async deliveryLog(queueId: string): Promise<T.DeliveryLogEntry[]> {
    return this.#queue.deliveryLog(queueId);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  // private

  #domainRow(id: string): DomainRow | undefined {
    return this.#sql('SELECT * FROM domains WHERE id = ?').get(id) as DomainRow | undefined;
  }

  #domainByName(ascii: string): DomainRow | undefined {
    return this.#sql('SELECT * FROM domains WHERE name = ?').get(ascii) as DomainRow | undefined;
  }

  #aliasByAddress(local: string, domainName: string): { alias: AliasRow; domain: DomainRow } | null {
    const domain = this.#domainByName(domainName);
    if (!domain) return null;
    const alias = this.#aliases.rowByName(domain.id, local);
    return alias ? { alias, domain } : null;
  }
}
