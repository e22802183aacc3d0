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
import { isValidAliasName, normalizeDomain, normalizeRecipient, splitAddress, stripSubaddress } from './addresses.js';
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
import { DEFAULT_LEASE_MS, SqliteOutboundQueue } from './sqlite-queue.js';
import {
  type AccountRow,
  type AliasRow,
  type DomainRow,
  type TokenRow,
  toAccount,
  toAlias,
  toDomain,
  toToken,
} from './sqlite-rows.js';
import { migrate } from './sqlite-schema.js';
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

const SORT_SQL: Record<T.SortKey, string> = {
  name: 'name ASC, id ASC',
  '-name': 'name DESC, id DESC',
  created_at: 'created_at ASC, rowid ASC',
  '-created_at': 'created_at DESC, rowid DESC',
};

function likePattern(filter: string): string {
  return `%${filter.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT_UNIQUE');
}

function normalizeRecipients(list: string[]): string[] {
  return list.map((address) => {
    const normalized = normalizeRecipient(address);
    if (!normalized) throw new ValidationError(`invalid recipient address: ${address}`, 'recipients');
    return normalized;
  });
}

export class SqliteControlStore implements T.ControlStore {
  readonly #db: Database.Database;
  readonly #dkimBox: SecretBox;
  readonly #queue: SqliteOutboundQueue;
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
    this.#dkimBox = new SecretBox(deriveKey(opts.masterKey, 'control.dkim'));
    this.#queue = new SqliteOutboundQueue(this.#db, new SecretBox(deriveKey(opts.masterKey, 'control.queue')));
    this.#cost = opts.scryptCost ?? DEFAULT_SCRYPT_COST;
  }

  // accounts

  async countAccounts(): Promise<number> {
    return this.#db.prepare('SELECT count(*) FROM accounts').pluck().get() as number;
  }

  async createAccount(input: { email: string; password: string; isAdmin?: boolean }): Promise<T.Account> {
    const email = normalizeRecipient(input.email);
    if (!email) throw new ValidationError('invalid email address', 'email');
    const hash = await hashPassword(input.password, this.#cost);
    const id = newId();
    try {
      this.#db
        .prepare('INSERT INTO accounts (id, email, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, email, hash, input.isAdmin ? 1 : 0, Date.now());
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('an account with this email already exists');
      throw err;
    }
    return (await this.getAccount(id)) as T.Account;
  }

  async getAccount(id: string): Promise<T.Account | null> {
    const row = this.#db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  async verifyAccountPassword(email: string, password: string): Promise<T.Account | null> {
    const normalized = normalizeRecipient(email);
    if (!normalized) return null;
    const row = this.#db.prepare('SELECT * FROM accounts WHERE email = ?').get(normalized) as AccountRow | undefined;
    if (!row) return null;
    return (await verifyPassword(password, row.password_hash)) ? toAccount(row) : null;
  }

  async findAccountByEmail(email: string): Promise<T.Account | null> {
    const normalized = normalizeRecipient(email);
    const row = normalized
      ? (this.#db.prepare('SELECT * FROM accounts WHERE email = ?').get(normalized) as AccountRow | undefined)
      : undefined;
    return row ? toAccount(row) : null;
  }

  // API tokens

  async createToken(accountId: string, name: string): Promise<T.IssuedToken> {
    const secret = newTokenSecret();
    const id = newId();
    this.#db
      .prepare('INSERT INTO api_tokens (id, account_id, name, digest, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, accountId, name, tokenDigest(secret), Date.now());
    const row = this.#db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenRow;
    return { token: toToken(row), secret };
  }

  async listTokens(accountId: string): Promise<T.ApiToken[]> {
    const rows = this.#db
      .prepare('SELECT * FROM api_tokens WHERE account_id = ? ORDER BY created_at, rowid')
      .all(accountId) as TokenRow[];
    return rows.map(toToken);
  }

  async revokeToken(accountId: string, tokenId: string): Promise<boolean> {
    const result = this.#db
      .prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL')
      .run(Date.now(), tokenId, accountId);
    return result.changes === 1;
  }

  async authenticateToken(secret: string): Promise<{ account: T.Account; token: T.ApiToken } | null> {
    const row = this.#db
      .prepare('SELECT * FROM api_tokens WHERE digest = ? AND revoked_at IS NULL')
      .get(tokenDigest(secret)) as TokenRow | undefined;
    if (!row) return null;
    const account = await this.getAccount(row.account_id);
    if (!account) return null;
    const now = Date.now();
    if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
      this.#db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
      row.last_used_at = now;
    }
    return { account, token: toToken(row) };
  }

  // domains

  async createDomain(input: T.NewDomain): Promise<T.Domain> {
    const name = normalizeDomain(input.name);
    if (!name) throw new ValidationError(`invalid domain name: ${input.name}`, 'name');
    const id = newId();
    try {
      this.#db
        .prepare(
          `INSERT INTO domains (id, account_id, name, verification_token, dkim_selector, dkim_public_key,
             dkim_private_key, dmarc_policy, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
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
    const row = this.#db
      .prepare('SELECT * FROM domains WHERE account_id = ? AND (id = ? OR name = ?)')
      .get(accountId, idOrName, name) as DomainRow | undefined;
    return row ? toDomain(row) : null;
  }

  async listDomains(accountId: string, query: T.ListQuery): Promise<T.Page<T.Domain>> {
    const page = this.#page<DomainRow>('domains', 'account_id', accountId, query);
    return { ...page, items: page.items.map(toDomain) };
  }

  async updateDomain(accountId: string, domainId: string, patch: T.DomainPatch): Promise<T.Domain | null> {
    const current = await this.findDomain(accountId, domainId);
    if (!current) return null;
    this.#db
      .prepare('UPDATE domains SET dmarc_policy = ?, description = ? WHERE id = ?')
      .run(patch.dmarcPolicy ?? current.dmarcPolicy, patch.description ?? current.description, current.id);
    return toDomain(this.#domainRow(current.id) as DomainRow);
  }

  async deleteDomain(accountId: string, domainId: string): Promise<{ mailboxIds: string[] } | null> {
    const remove = this.#db.transaction(() => {
      const mailboxIds = this.#db
        .prepare(
          `SELECT a.mailbox_id FROM aliases a JOIN domains d ON d.id = a.domain_id
           WHERE d.id = ? AND d.account_id = ? AND a.mailbox_id IS NOT NULL`,
        )
        .pluck()
        .all(domainId, accountId) as string[];
      const result = this.#db.prepare('DELETE FROM domains WHERE id = ? AND account_id = ?').run(domainId, accountId);
      return result.changes === 1 ? { mailboxIds } : null;
    });
    return remove.immediate();
  }

  async recordDnsCheck(domainId: string, result: T.DnsCheckResult): Promise<void> {
    this.#db.prepare('UPDATE domains SET last_dns_check = ? WHERE id = ?').run(JSON.stringify(result), domainId);
  }

  async isHostedDomain(name: string): Promise<boolean> {
    const ascii = normalizeDomain(name);
    if (!ascii) return false;
    return this.#db.prepare('SELECT 1 FROM domains WHERE name = ?').get(ascii) !== undefined;
  }

  async findDomainByName(name: string): Promise<T.Domain | null> {
    const ascii = normalizeDomain(name);
    const row = ascii ? this.#domainByName(ascii) : undefined;
    return row ? toDomain(row) : null;
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
    const name = input.name.toLowerCase();
    if (!isValidAliasName(name)) throw new ValidationError(`invalid alias name: ${input.name}`, 'name');
    const recipients = normalizeRecipients(input.recipients ?? []);
    const id = newId();
    const now = Date.now();
    try {
      this.#db
        .prepare(
          `INSERT INTO aliases (id, domain_id, name, recipients, has_imap, is_enabled, description, created_at,
             updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          domainId,
          name,
          JSON.stringify(recipients),
          input.hasImap ? 1 : 0,
          input.isEnabled === false ? 0 : 1,
          input.description ?? '',
          now,
          now,
        );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`alias ${name} already exists`);
      throw err;
    }
    return toAlias(this.#aliasRow(id) as AliasRow);
  }

  async findAlias(domainId: string, idOrName: string): Promise<T.Alias | null> {
    const row = this.#db
      .prepare('SELECT * FROM aliases WHERE domain_id = ? AND (id = ? OR name = ?)')
      .get(domainId, idOrName, idOrName.toLowerCase()) as AliasRow | undefined;
    return row ? toAlias(row) : null;
  }

  async listAliases(domainId: string, query: T.ListQuery): Promise<T.Page<T.Alias>> {
    const page = this.#page<AliasRow>('aliases', 'domain_id', domainId, query);
    return { ...page, items: page.items.map(toAlias) };
  }

  async updateAlias(domainId: string, aliasId: string, patch: T.AliasPatch): Promise<T.Alias | null> {
    const current = await this.findAlias(domainId, aliasId);
    if (!current) return null;
    const name = patch.name?.toLowerCase() ?? current.name;
    if (!isValidAliasName(name)) throw new ValidationError(`invalid alias name: ${patch.name}`, 'name');
    const recipients = patch.recipients ? normalizeRecipients(patch.recipients) : current.recipients;
    try {
      this.#db
        .prepare(
          `UPDATE aliases SET name = ?, recipients = ?, has_imap = ?, is_enabled = ?, description = ?, updated_at = ?
           WHERE id = ?`,
        )
        .run(
          name,
          JSON.stringify(recipients),
          (patch.hasImap ?? current.hasImap) ? 1 : 0,
          (patch.isEnabled ?? current.isEnabled) ? 1 : 0,
          patch.description ?? current.description,
          Date.now(),
          current.id,
        );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`alias ${name} already exists`);
      throw err;
    }
    return toAlias(this.#aliasRow(current.id) as AliasRow);
  }

  async deleteAlias(domainId: string, aliasId: string): Promise<{ mailboxId: string | null } | null> {
    const row = this.#db.prepare('SELECT * FROM aliases WHERE domain_id = ? AND id = ?').get(domainId, aliasId) as
      | AliasRow
      | undefined;
    if (!row) return null;
    this.#db.prepare('DELETE FROM aliases WHERE id = ?').run(row.id);
    return { mailboxId: row.mailbox_id };
  }

  async setMailboxCredential(aliasId: string, mailboxId: string, password: string): Promise<void> {
    const hash = await hashPassword(password, this.#cost);
    this.#db
      .prepare(
        'UPDATE aliases SET mailbox_id = ?, mailbox_password_hash = ?, has_imap = 1, updated_at = ? WHERE id = ?',
      )
      .run(mailboxId, hash, Date.now(), aliasId);
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
    return this.#db.prepare('SELECT * FROM domains WHERE id = ?').get(id) as DomainRow | undefined;
  }

  #domainByName(ascii: string): DomainRow | undefined {
    return this.#db.prepare('SELECT * FROM domains WHERE name = ?').get(ascii) as DomainRow | undefined;
  }

  #aliasRow(id: string): AliasRow | undefined {
    return this.#db.prepare('SELECT * FROM aliases WHERE id = ?').get(id) as AliasRow | undefined;
  }

  #aliasByAddress(local: string, domainName: string): { alias: AliasRow; domain: DomainRow } | null {
    const domain = this.#domainByName(domainName);
    if (!domain) return null;
    const alias = this.#db.prepare('SELECT * FROM aliases WHERE domain_id = ? AND name = ?').get(domain.id, local) as
      | AliasRow
      | undefined;
    return alias ? { alias, domain } : null;
  }

  #page<Row>(table: 'domains' | 'aliases', scope: string, scopeId: string, query: T.ListQuery): T.Page<Row> {
    const filter = query.name ? " AND name LIKE ? ESCAPE '\\'" : '';
    const params: unknown[] = query.name ? [scopeId, likePattern(query.name)] : [scopeId];
    const where = `FROM ${table} WHERE ${scope} = ?${filter}`;
    const total = this.#db
      .prepare(`SELECT count(*) ${where}`)
      .pluck()
      .get(...params) as number;
    const order = SORT_SQL[query.sort ?? 'name'];
    const items = this.#db
      .prepare(`SELECT * ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...params, query.limit, (query.page - 1) * query.limit) as Row[];
    return { items, total, page: query.page, limit: query.limit };
  }
}
