/**
 * Domain members and invites (control.db tables domain_members and domain_invites, migration 16).
 *
 * Several accounts can manage one domain, each as 'admin' or 'user'. Rules kept here, in the store, so that every
 * caller (API, dashboard, CLI) gets them:
 * - The owner (domains.account_id) is an admin member from the domain's creation on and cannot be removed or made
 *   a 'user': the domain's claim (its name, parents and subdomains) belongs to the owner's account.
 * - The last admin can be neither removed nor demoted (with the owner rule this cannot happen, but the check does
 *   not depend on it).
 * - An invite names an email address and a role; its secret is returned once and stored only as its SHA-256. It is
 *   accepted by the account whose email is the invited one, before it expires; accepting makes the account a member
 *   and deletes the invite, in one transaction.
 */
import { ConflictError, NotFoundError, PermissionError, ValidationError } from '@mailyard/errors';
import type Database from 'better-sqlite3-multiple-ciphers';
import { normalizeRecipient } from './addresses.js';
import { newId, tokenDigest } from './secrets.js';
import type { StatementFor } from './sqlite-queries.js';
import type { DomainInvite, DomainMember, DomainRole, IssuedDomainInvite, NewDomainInvite } from './types.js';

interface MemberRow {
  domain_id: string;
  account_id: string;
  email: string;
  role: DomainRole;
  created_at: number;
  is_owner: number;
}

interface InviteRow {
  id: string;
  domain_id: string;
  email: string;
  role: DomainRole;
  invited_by: string | null;
  created_at: number;
  expires_at: number;
}

const toMember = (row: MemberRow): DomainMember => ({
  domainId: row.domain_id,
  accountId: row.account_id,
  email: row.email,
  role: row.role,
  isOwner: row.is_owner === 1,
  createdAt: new Date(row.created_at),
});

const toInvite = (row: InviteRow): DomainInvite => ({
  id: row.id,
  domainId: row.domain_id,
  email: row.email,
  role: row.role,
  invitedBy: row.invited_by,
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
});

const MEMBER_SELECT = `SELECT m.domain_id, m.account_id, a.email, m.role, m.created_at,
    (d.account_id = m.account_id) AS is_owner
  FROM domain_members m JOIN accounts a ON a.id = m.account_id JOIN domains d ON d.id = m.domain_id`;

/** Invite secrets carry a prefix so that a leaked one is recognisable (as API tokens are). */
function newInviteSecret(): string {
  return `myi_${newId()}${newId()}`;
}

export class SqliteMemberTable {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;

  constructor(db: Database.Database, sql: StatementFor) {
    this.#db = db;
    this.#sql = sql;
  }

  role(domainId: string, accountId: string): DomainRole | null {
    const role = this.#sql('SELECT role FROM domain_members WHERE domain_id = ? AND account_id = ?')
      .pluck()
      .get(domainId, accountId) as DomainRole | undefined;
    return role ?? null;
  }

  list(domainId: string): DomainMember[] {
    const rows = this.#sql(`${MEMBER_SELECT} WHERE m.domain_id = ? ORDER BY m.created_at, a.email`).all(
      domainId,
    ) as MemberRow[];
    return rows.map(toMember);
  }

  /** The member named by account id or email address; null when the account is not a member. */
  find(domainId: string, idOrEmail: string): DomainMember | null {
    const row = this.#sql(`${MEMBER_SELECT} WHERE m.domain_id = ? AND (m.account_id = ? OR a.email = ?)`).get(
      domainId,
      idOrEmail,
      normalizeRecipient(idOrEmail) ?? idOrEmail,
    ) as MemberRow | undefined;
    return row ? toMember(row) : null;
  }

  setRole(domainId: string, accountId: string, role: DomainRole): DomainMember | null {
    const change = this.#db.transaction(() => {
      const member = this.find(domainId, accountId);
      if (!member) return null;
      if (member.role === role) return member;
      if (role === 'user') this.#refuseLosingAdmin(member, 'made a user');
      this.#sql('UPDATE domain_members SET role = ? WHERE domain_id = ? AND account_id = ?').run(
        role,
        domainId,
        member.accountId,
      );
      return { ...member, role };
    });
    return change.immediate();
  }

  remove(domainId: string, accountId: string): boolean {
    const remove = this.#db.transaction(() => {
      const member = this.find(domainId, accountId);
      if (!member) return false;
      this.#refuseLosingAdmin(member, 'removed');
      this.#sql('DELETE FROM domain_members WHERE domain_id = ? AND account_id = ?').run(domainId, member.accountId);
      return true;
    });
    return remove.immediate();
  }

  #refuseLosingAdmin(member: DomainMember, what: string): void {
    if (member.isOwner) {
      throw new ConflictError(`${member.email} owns the domain and cannot be ${what}`);
    }
    if (member.role !== 'admin') return;
    const admins = this.#sql("SELECT count(*) FROM domain_members WHERE domain_id = ? AND role = 'admin'")
      .pluck()
      .get(member.domainId) as number;
    if (admins <= 1) throw new ConflictError(`${member.email} is the last admin of the domain and cannot be ${what}`);
  }

  /** A new invite, or a fresh secret and expiry for the email's pending one. ConflictError for a member's email. */
  createInvite(input: NewDomainInvite): IssuedDomainInvite {
    const email = normalizeRecipient(input.email.trim());
    if (!email) throw new ValidationError(`not an email address: ${input.email}`, 'email');
    const secret = newInviteSecret();
    const now = Date.now();
    const create = this.#db.transaction(() => {
      if (this.find(input.domainId, email)) throw new ConflictError(`${email} is already a member of the domain`);
      this.#sql('DELETE FROM domain_invites WHERE domain_id = ? AND email = ?').run(input.domainId, email);
      const id = newId();
      this.#sql(
        `INSERT INTO domain_invites (id, domain_id, email, role, digest, invited_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, input.domainId, email, input.role, tokenDigest(secret), input.invitedBy, now, now + input.ttlMs);
      return this.#invite(id) as DomainInvite;
    });
    return { invite: create.immediate(), secret };
  }

  /** Pending (unexpired) invites, oldest first. */
  listInvites(domainId: string, now = Date.now()): DomainInvite[] {
    const rows = this.#sql(
      'SELECT * FROM domain_invites WHERE domain_id = ? AND expires_at > ? ORDER BY created_at, email',
    ).all(domainId, now) as InviteRow[];
    return rows.map(toInvite);
  }

  /** Deletes the invite named by id or email address; false when there is none. */
  revokeInvite(domainId: string, idOrEmail: string): boolean {
    const result = this.#sql('DELETE FROM domain_invites WHERE domain_id = ? AND (id = ? OR email = ?)').run(
      domainId,
      idOrEmail,
      normalizeRecipient(idOrEmail) ?? idOrEmail,
    );
    return result.changes > 0;
  }

  /**
   * Makes the account a member with the invite's role. The invite is found by its secret, or by domain and the
   * account's email; NotFoundError when there is no pending one, PermissionError when the secret's invite names
   * another email address.
   */
  accept(account: { id: string; email: string }, by: { secret: string } | { domainId: string }): DomainMember {
    const now = Date.now();
    const accept = this.#db.transaction(() => {
      const row = (
        'secret' in by
          ? this.#sql('SELECT * FROM domain_invites WHERE digest = ?').get(tokenDigest(by.secret))
          : this.#sql('SELECT * FROM domain_invites WHERE domain_id = ? AND email = ?').get(by.domainId, account.email)
      ) as InviteRow | undefined;
      if (!row || row.expires_at <= now) throw new NotFoundError('no pending invite');
      // Account emails are stored normalized as invite emails are (normalizeRecipient).
      if (row.email !== account.email) {
        throw new PermissionError('the invite is for another email address');
      }
      this.#sql('DELETE FROM domain_invites WHERE id = ?').run(row.id);
      // Already a member (added by another invite meanwhile): the existing role stays.
      this.#sql(
        'INSERT OR IGNORE INTO domain_members (domain_id, account_id, role, created_at) VALUES (?, ?, ?, ?)',
      ).run(row.domain_id, account.id, row.role, now);
      return this.find(row.domain_id, account.id) as DomainMember;
    });
    return accept.immediate();
  }

  #invite(id: string): DomainInvite | null {
    const row = this.#sql('SELECT * FROM domain_invites WHERE id = ?').get(id) as InviteRow | undefined;
    return row ? toInvite(row) : null;
  }
}
