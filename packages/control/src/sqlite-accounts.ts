/**
 * The accounts table of control.db. Emails are stored normalized and unique; passwords as scrypt hashes.
 * Invariants: the first account is an administrator, decided in the insert's own IMMEDIATE transaction; checking a
 * password runs the KDF whether or not the email has an account, so timing does not enumerate accounts.
 */
import { ConflictError, PermissionError, ValidationError } from '@mailyard/errors';
import type Database from 'better-sqlite3-multiple-ciphers';
import { normalizeRecipient } from './addresses.js';
import { hashPassword, type KdfObserver, newId, type ScryptCost, unmatchableHash, verifyPassword } from './secrets.js';
import { isUniqueViolation, type StatementFor } from './sqlite-queries.js';
import { type AccountRow, toAccount } from './sqlite-rows.js';
import type { Account, NewAccount } from './types.js';

export class SqliteAccountTable {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;
  readonly #cost: ScryptCost;
  readonly #observe: KdfObserver | undefined;
  /** Checked when an email has no account: same KDF cost as a real check, matched by no password. */
  readonly #unknownAccountHash: string;

  constructor(db: Database.Database, sql: StatementFor, cost: ScryptCost, observe?: KdfObserver) {
    this.#db = db;
    this.#sql = sql;
    this.#cost = cost;
    this.#observe = observe;
    this.#unknownAccountHash = unmatchableHash(cost);
  }

  count(): number {
    return this.#sql('SELECT count(*) FROM accounts').pluck().get() as number;
  }

  async create(input: NewAccount): Promise<Account> {
    const email = normalizeRecipient(input.email);
    if (!email) throw new ValidationError('invalid email address', 'email');
    const hash = await hashPassword(input.password, this.#cost, this.#observe);
    const id = newId();
    // BEGIN IMMEDIATE takes the write lock before the check, so no other connection (or process) can insert
    // between "no account yet" and the insert: exactly one first account, hence exactly one administrator.
    const insert = this.#db.transaction(() => {
      const first = this.#sql('SELECT NOT EXISTS (SELECT 1 FROM accounts)').pluck().get() === 1;
      if (input.onlyIfFirst && !first) {
        throw new PermissionError('sign-up is closed: ask an administrator to create your account');
      }
      this.#sql('INSERT INTO accounts (id, email, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?)').run(
        id,
        email,
        hash,
        first || input.isAdmin ? 1 : 0,
        Date.now(),
      );
    });
    try {
      insert.immediate();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('an account with this email already exists');
      throw err;
    }
    return this.get(id) as Account;
  }

  get(id: string): Account | null {
    const row = this.#sql('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  async verifyPassword(email: string, password: string): Promise<Account | null> {
    const row = this.#rowByEmail(email);
    // Same KDF work without an account as with one, so response time does not reveal which emails have one.
    const matches = await verifyPassword(password, row?.password_hash ?? this.#unknownAccountHash, this.#observe);
    return row && matches ? toAccount(row) : null;
  }

  async setPassword(accountId: string, password: string): Promise<boolean> {
    const hash = await hashPassword(password, this.#cost, this.#observe);
    return this.#sql('UPDATE accounts SET password_hash = ? WHERE id = ?').run(hash, accountId).changes === 1;
  }

  findByEmail(email: string): Account | null {
    const row = this.#rowByEmail(email);
    return row ? toAccount(row) : null;
  }

  #rowByEmail(email: string): AccountRow | undefined {
    const normalized = normalizeRecipient(email);
    if (!normalized) return undefined;
    return this.#sql('SELECT * FROM accounts WHERE email = ?').get(normalized) as AccountRow | undefined;
  }
}
