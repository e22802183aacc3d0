/**
 * SqliteControlStore: the embedded ControlStore backend. One file, `<dataDir>/control.db`, encrypted with
 * ChaCha20-Poly1305 (SQLite3 Multiple Ciphers) under a raw key derived from the master key ('control.db'),
 * WAL journal, foreign keys on, busy timeout so that several processes (api, smtp, jobs) share it.
 * All SQL of the control store lives in this file and its sqlite-* siblings.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deriveKey } from '@mailyard/config';
import Database from 'better-sqlite3-multiple-ciphers';
import { splitAddress, stripSubaddress } from './addresses.js';
import { firstInOrder } from './alias-patterns.js';
import { CONTROL_DATABASE_FILE } from './backup-files.js';
import type { AliasQuotaPatch, DomainQuota, DomainQuotaPatch, MailboxQuotaRecord, MailboxUsage } from './quotas.js';
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  type KdfObserver,
  newId,
  newTokenSecret,
  type ScryptCost,
  SecretBox,
  tokenDigest,
  unmatchableHash,
  verifyPassword,
} from './secrets.js';
import { SqliteAccountTable } from './sqlite-accounts.js';
import { SqliteAliasVerificationTable } from './sqlite-alias-verifications.js';
import { SqliteAliasTable } from './sqlite-aliases.js';
import { SqliteDomainTable } from './sqlite-domains.js';
import { SqliteMailEventTable } from './sqlite-mail-events.js';
import { SqliteMemberTable } from './sqlite-members.js';
import { type StatementFor, statementCache } from './sqlite-queries.js';
import { DEFAULT_LEASE_MS, SqliteOutboundQueue } from './sqlite-queue.js';
import { SqliteQuotaTable } from './sqlite-quotas.js';
import { type AliasRow, type DomainRow, type TokenRow, toAlias, toDomain, toToken } from './sqlite-rows.js';
import { migrate } from './sqlite-schema.js';
import { SqliteSentEmailTable } from './sqlite-sent-emails.js';
import { SqliteSessionTable } from './sqlite-sessions.js';
import { SqliteSieveMarkTable } from './sqlite-sieve-marks.js';
import { SqliteSieveScriptTable } from './sqlite-sieve-scripts.js';
import { SqliteSpamTable } from './sqlite-spam.js';
import { SqliteEventWebhookTable, SqliteWebhookTable } from './sqlite-webhooks.js';
import type * as T from './types.js';

export interface SqliteControlStoreOptions {
  dataDir: string;
  masterKey: Buffer;
  /** Lower only in tests. */
  scryptCost?: ScryptCost;
  busyTimeoutMs?: number;
  /** Called on every password KDF run (account and mailbox passwords): tests count the work a login does. */
  onKdf?: KdfObserver;
}

/** lastUsedAt is written at most this often per token, so authenticated reads do not all become writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class SqliteControlStore implements T.ControlStore {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;
  readonly #domains: SqliteDomainTable;
  readonly #members: SqliteMemberTable;
  readonly #queue: SqliteOutboundQueue;
  readonly #sentEmails: SqliteSentEmailTable;
  readonly #webhooks: SqliteWebhookTable;
  readonly #eventWebhooks: SqliteEventWebhookTable;
  readonly #mailEvents: SqliteMailEventTable;
  readonly #aliases: SqliteAliasTable;
  readonly #verifications: SqliteAliasVerificationTable;
  readonly #sessions: SqliteSessionTable;
  readonly #sieveScripts: SqliteSieveScriptTable;
  readonly #sieveMarks: SqliteSieveMarkTable;
  readonly #spam: SqliteSpamTable;
  readonly #quotas: SqliteQuotaTable;
  readonly #accounts: SqliteAccountTable;
  readonly #cost: ScryptCost;
  readonly #observeKdf: KdfObserver | undefined;
  /** Checked when a login names no usable mailbox: same KDF cost as a real check, matched by no password. */
  readonly #unknownMailboxHash: string;

  constructor(opts: SqliteControlStoreOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    this.#db = new Database(join(opts.dataDir, CONTROL_DATABASE_FILE));
    const key = deriveKey(opts.masterKey, CONTROL_DATABASE_FILE).toString('hex');
    this.#db.pragma(`cipher='chacha20'`);
    this.#db.pragma(`key="x'${key}'"`);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    migrate(this.#db);
    this.#sql = statementCache(this.#db);
    this.#aliases = new SqliteAliasTable(this.#sql);
    this.#verifications = new SqliteAliasVerificationTable(this.#sql, (name) => this.#domains.isHosted(name));
    this.#sessions = new SqliteSessionTable(this.#sql);
    this.#sieveScripts = new SqliteSieveScriptTable(this.#db, this.#sql);
    this.#sieveMarks = new SqliteSieveMarkTable(this.#sql);
    this.#spam = new SqliteSpamTable(this.#db, this.#sql);
    this.#quotas = new SqliteQuotaTable(this.#sql);
    this.#sentEmails = new SqliteSentEmailTable(this.#sql);
    this.#mailEvents = new SqliteMailEventTable(this.#sql);
    this.#eventWebhooks = new SqliteEventWebhookTable(this.#sql);
    this.#webhooks = new SqliteWebhookTable(
      this.#db,
      new SecretBox(deriveKey(opts.masterKey, 'control.webhook-secrets')),
      new SecretBox(deriveKey(opts.masterKey, 'control.webhooks')),
    );
    this.#domains = new SqliteDomainTable(
      this.#db,
      this.#sql,
      new SecretBox(deriveKey(opts.masterKey, 'control.dkim')),
    );
    this.#queue = new SqliteOutboundQueue(this.#db, new SecretBox(deriveKey(opts.masterKey, 'control.queue')));
    this.#cost = opts.scryptCost ?? DEFAULT_SCRYPT_COST;
    this.#observeKdf = opts.onKdf;
    this.#unknownMailboxHash = unmatchableHash(this.#cost);
    this.#members = new SqliteMemberTable(this.#db, this.#sql);
    this.#accounts = new SqliteAccountTable(this.#db, this.#sql, this.#cost, this.#observeKdf);
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

  // Sieve marks
  async claimSieveMark(ownerId: string, key: string, expiresAt: Date): Promise<boolean> {
    return this.#sieveMarks.claim(ownerId, key, expiresAt.getTime());
  }

  async sieveMarksSeen(ownerId: string, keys: string[]): Promise<Set<string>> {
    return this.#sieveMarks.seen(ownerId, keys);
  }

  async expireSieveMarks(now = new Date()): Promise<number> {
    return this.#sieveMarks.expire(now.getTime());
  }

  // domains

  async createDomain(input: T.NewDomain): Promise<T.Domain> {
    return this.#domains.create(input);
  }

  async findDomain(accountId: string, idOrName: string): Promise<T.Domain | null> {
    return this.#domains.find(accountId, idOrName);
  }

  async listDomains(accountId: string, query: T.ListQuery): Promise<T.Page<T.Domain>> {
    return this.#domains.list(accountId, query);
  }

  async updateDomain(accountId: string, domainId: string, patch: T.DomainPatch): Promise<T.Domain | null> {
    return this.#domains.update(accountId, domainId, patch);
  }

  async deleteDomain(accountId: string, domainId: string): Promise<{ mailboxIds: string[] } | null> {
    return this.#domains.delete(accountId, domainId);
  }

  async recordDnsCheck(domainId: string, result: T.DnsCheckResult): Promise<void> {
    this.#domains.recordDnsCheck(domainId, result);
  }

  async setDomainVerification(domainId: string, by: T.DomainVerifier | null): Promise<T.Domain | null> {
    return this.#domains.setVerification(domainId, by);
  }

  async isHostedDomain(name: string): Promise<boolean> {
    return this.#domains.isHosted(name);
  }

  async findDomainByName(name: string): Promise<T.Domain | null> {
    return this.#domains.byName(name);
  }

  async listAllDomains(): Promise<T.Domain[]> {
    return this.#domains.listAll();
  }

  async getDkimKey(domainName: string): Promise<{ selector: string; privateKeyPem: string } | null> {
    return this.#domains.dkimKey(domainName);
  }

  // domain members and invites

  async domainRole(domainId: string, accountId: string): Promise<T.DomainRole | null> {
    return this.#members.role(domainId, accountId);
  }

  async listDomainMembers(domainId: string): Promise<T.DomainMember[]> {
    return this.#members.list(domainId);
  }

  async findDomainMember(domainId: string, idOrEmail: string): Promise<T.DomainMember | null> {
    return this.#members.find(domainId, idOrEmail);
  }

  async setDomainMemberRole(domainId: string, idOrEmail: string, role: T.DomainRole): Promise<T.DomainMember | null> {
    return this.#members.setRole(domainId, idOrEmail, role);
  }

  async removeDomainMember(domainId: string, idOrEmail: string): Promise<boolean> {
    return this.#members.remove(domainId, idOrEmail);
  }

  async createDomainInvite(input: T.NewDomainInvite): Promise<T.IssuedDomainInvite> {
    return this.#members.createInvite(input);
  }

  async listDomainInvites(domainId: string): Promise<T.DomainInvite[]> {
    return this.#members.listInvites(domainId);
  }

  async revokeDomainInvite(domainId: string, idOrEmail: string): Promise<boolean> {
    return this.#members.revokeInvite(domainId, idOrEmail);
  }

  async acceptDomainInvite(account: T.Account, by: { secret: string } | { domainId: string }): Promise<T.DomainMember> {
    return this.#members.accept(account, by);
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
    this.#aliases.setCredential(aliasId, mailboxId, await hashPassword(password, this.#cost, this.#observeKdf));
  }

  async verifyMailboxPassword(address: string, password: string): Promise<T.ResolvedRecipient | null> {
    const parts = splitAddress(address);
    const row = parts ? this.#aliasByAddress(parts.local, this.#domains.rowByName(parts.domain)) : null;
    const hash = row?.alias.is_enabled ? row.alias.mailbox_password_hash : null;
    // The KDF runs whatever was found (against a hash no password matches when there is none), so a login for an
    // unknown address, a disabled alias or one without a mailbox takes as long as a wrong password for a real one.
    const matches = await verifyPassword(password, hash ?? this.#unknownMailboxHash, this.#observeKdf);
    if (!row || !hash || !matches) return null;
    return { domain: toDomain(row.domain), alias: toAlias(row.alias) };
  }

  async resolveRecipient(address: string): Promise<T.ResolvedRecipient | null> {
    const found = await this.routeRecipient(address);
    return found?.alias.isEnabled ? found : null;
  }

  /** Exact name, +tag base name, patterns (full local part, then base), catch-all: the first found decides. */
  async routeRecipient(address: string): Promise<T.ResolvedRecipient | null> {
    const parts = splitAddress(address);
    const domain = parts ? this.#domains.verifiedRow(parts.domain) : undefined;
    if (!parts || !domain) return null;
    const base = stripSubaddress(parts.local);
    const locals = [parts.local, ...(base ? [base] : [])];
    const row =
      this.#firstExact(domain, locals) ?? this.#firstPattern(domain, locals) ?? this.#firstExact(domain, ['*']);
    if (!row) return null;
    const resolved = { domain: toDomain(domain), alias: toAlias(row) };
    // The alias's own setting, or its domain's (every alias of the domain then verifies).
    if (row.has_recipient_verification !== 1 && domain.has_recipient_verification !== 1) return resolved;
    const verified = this.#verifications.verified(row.id);
    const awaiting = this.#verifications.externalRecipients(row).filter((r) => !verified.has(r));
    return { ...resolved, awaitingVerification: awaiting };
  }

  async syncRecipientVerifications(aliasId: string): Promise<T.IssuedRecipientVerification[]> {
    return this.#db.transaction(() => this.#verifications.sync(aliasId)).immediate();
  }

  async listRecipientVerifications(aliasId: string): Promise<T.RecipientVerification[]> {
    return this.#verifications.list(aliasId);
  }

  async reissueRecipientVerification(
    aliasId: string,
    recipient: string,
    minIntervalMs: number,
  ): Promise<T.ReissuedVerification> {
    return this.#db.transaction(() => this.#verifications.reissue(aliasId, recipient, minIntervalMs)).immediate();
  }

  async describeRecipientVerification(token: string): Promise<T.RecipientVerificationLink | null> {
    return this.#verifications.describe(token);
  }

  async confirmRecipientVerification(token: string): Promise<{ aliasId: string; recipient: string } | null> {
    return this.#verifications.confirm(token);
  }

  #firstExact(domain: DomainRow, locals: string[]): AliasRow | undefined {
    for (const local of locals) {
      const row = this.#aliases.rowByName(domain.id, local);
      if (row) return row;
    }
    return undefined;
  }

  #firstPattern(domain: DomainRow, locals: string[]): AliasRow | undefined {
    const patterns = this.#aliases.patterns(domain.id);
    if (patterns.length === 0) return undefined;
    for (const local of locals) {
      const match = firstInOrder(patterns, local);
      if (match) return this.#aliases.rowById(match.id);
    }
    return undefined;
  }

  // quotas (quotas.ts)

  async aliasQuota(aliasId: string): Promise<MailboxQuotaRecord | null> {
    return this.#quotas.byAlias(aliasId);
  }

  async aliasQuotas(aliasIds: readonly string[]): Promise<Map<string, MailboxQuotaRecord>> {
    return this.#quotas.byAliases(aliasIds);
  }

  async mailboxQuota(mailboxId: string): Promise<MailboxQuotaRecord | null> {
    return this.#quotas.byMailbox(mailboxId);
  }

  async setAliasQuota(aliasId: string, patch: AliasQuotaPatch): Promise<boolean> {
    return this.#quotas.setAlias(aliasId, patch);
  }

  async domainQuota(domainId: string): Promise<DomainQuota | null> {
    return this.#quotas.domain(domainId);
  }

  async setDomainQuota(domainId: string, patch: DomainQuotaPatch): Promise<boolean> {
    return this.#quotas.setDomain(domainId, patch);
  }

  async recordMailboxUsage(mailboxId: string, usage: MailboxUsage): Promise<void> {
    this.#quotas.recordUsage(mailboxId, usage);
  }

  // spam filter settings and greylisting

  async getSpamSettings(domainId: string): Promise<T.DomainSpamSettings> {
    return this.#spam.get(domainId);
  }

  async updateSpamSettings(domainId: string, patch: T.SpamSettingsPatch): Promise<T.DomainSpamSettings> {
    return this.#spam.update(domainId, patch);
  }

  async greylist(triplet: string, delayMs: number, expiryMs: number, now = new Date()): Promise<T.GreylistAnswer> {
    return this.#spam.greylist(triplet, now.getTime(), delayMs, expiryMs);
  }

  // Sieve scripts

  async listSieveScripts(aliasId: string): Promise<T.SieveScript[]> {
    return this.#sieveScripts.list(aliasId);
  }

  async getSieveScript(aliasId: string, idOrName: string): Promise<T.SieveScript | null> {
    return this.#sieveScripts.get(aliasId, idOrName);
  }

  async getActiveSieveScript(aliasId: string): Promise<T.SieveScript | null> {
    return this.#sieveScripts.active(aliasId);
  }

  async createSieveScript(aliasId: string, input: T.NewSieveScript): Promise<T.SieveScript> {
    return this.#sieveScripts.create(aliasId, input);
  }

  async putSieveScript(aliasId: string, name: string, content: string): Promise<T.SieveScript> {
    return this.#sieveScripts.put(aliasId, name, content);
  }

  async updateSieveScript(aliasId: string, idOrName: string, patch: T.SieveScriptPatch): Promise<T.SieveScript | null> {
    return this.#sieveScripts.update(aliasId, idOrName, patch);
  }

  async renameSieveScript(aliasId: string, from: string, to: string): Promise<T.SieveScript | null> {
    return this.#sieveScripts.update(aliasId, from, { name: to });
  }

  async deleteSieveScript(aliasId: string, idOrName: string, opts: { allowActive?: boolean } = {}): Promise<boolean> {
    return this.#sieveScripts.delete(aliasId, idOrName, opts.allowActive === true);
  }

  async setActiveSieveScript(aliasId: string, idOrName: string | null): Promise<boolean> {
    return this.#sieveScripts.setActive(aliasId, idOrName);
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

  async queueStats(): Promise<{ messages: number; bytes: number }> {
    return this.#queue.stats();
  }

  async deliveryLog(queueId: string): Promise<T.DeliveryLogEntry[]> {
    return this.#queue.deliveryLog(queueId);
  }

  async getQueueItem(queueId: string): Promise<T.QueueItemSummary | null> {
    return this.#queue.summary(queueId);
  }

  async cancelQueued(queueId: string, now = new Date()): Promise<T.CancelOutcome> {
    return this.#queue.cancel(queueId, now.getTime());
  }

  // webhooks

  async webhookSecret(domainId: string): Promise<string> {
    return this.#webhooks.secret(domainId);
  }

  async rotateWebhookSecret(domainId: string): Promise<string> {
    return this.#webhooks.rotate(domainId);
  }

  async enqueueWebhook(input: T.NewWebhook): Promise<T.WebhookSummary> {
    return this.#webhooks.enqueue(input);
  }

  async claimDueWebhooks(
    workerId: string,
    now: Date,
    limit: number,
    leaseMs = DEFAULT_LEASE_MS,
  ): Promise<T.WebhookItem[]> {
    return this.#webhooks.claimDue(workerId, now.getTime(), limit, leaseMs);
  }

  async recordWebhookAttempt(id: string, workerId: string, attempt: T.WebhookAttempt): Promise<T.WebhookSummary> {
    return this.#webhooks.record(id, workerId, attempt);
  }

  async getWebhook(id: string): Promise<T.WebhookSummary | null> {
    return this.#webhooks.get(id);
  }

  async listWebhooks(domainId: string, limit: number): Promise<T.WebhookSummary[]> {
    return this.#webhooks.list(domainId, limit);
  }

  async createEventWebhook(domainId: string, input: T.NewEventWebhook): Promise<T.EventWebhook> {
    return this.#eventWebhooks.create(domainId, input);
  }

  async listEventWebhooks(domainId: string): Promise<T.EventWebhook[]> {
    return this.#eventWebhooks.list(domainId);
  }

  async deleteEventWebhook(domainId: string, id: string): Promise<boolean> {
    return this.#eventWebhooks.delete(domainId, id);
  }

  // mail log

  async recordMailEvents(events: T.NewMailEvent[]): Promise<void> {
    if (events.length > 0) this.#mailEvents.record(events);
  }

  async listMailEvents(query: T.MailEventQuery): Promise<T.Page<T.MailEvent>> {
    return this.#mailEvents.list(query);
  }

  async pruneMailEvents(before: Date): Promise<number> {
    return this.#mailEvents.prune(before);
  }

  async pruneDeliveryHistory(before: Date): Promise<T.PrunedDeliveryHistory> {
    const at = before.getTime();
    return { ...this.#queue.prune(at), webhooks: this.#webhooks.prune(at), sentEmails: this.#sentEmails.prune(at) };
  }

  // messages sent through the REST API

  async recordSentEmail(input: T.NewSentEmail): Promise<T.SentEmail> {
    return this.#sentEmails.record(input);
  }

  async getSentEmail(accountId: string, id: string): Promise<T.SentEmail | null> {
    return this.#sentEmails.get(accountId, id);
  }

  async listSentEmails(accountId: string, page: number, limit: number, aliasId?: string): Promise<T.Page<T.SentEmail>> {
    return this.#sentEmails.list(accountId, page, limit, aliasId);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  // private

  #aliasByAddress(local: string, domain: DomainRow | undefined): { alias: AliasRow; domain: DomainRow } | null {
    if (!domain) return null;
    const alias = this.#aliases.rowByName(domain.id, local);
    return alias ? { alias, domain } : null;
  }
}
