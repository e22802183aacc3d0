/**
 * Sieve scripts in control.db, per alias (the mailbox's address): many named scripts, at most one active
 * (RFC 5804 §1.3), enforced by the partial unique index sieve_scripts_active. Scripts are user settings and sit in
 * the encrypted control.db like aliases do; they are checked (sieve-scripts.ts) before every write, so a stored
 * script always compiles. The MX reads the active one per recipient through the index on (alias_id) WHERE active.
 *
 * The active script of each alias is kept in memory with the stamp it was read under: SQLite's data_version (it
 * changes when another connection, any process, commits to control.db) and a count of this connection's own
 * writes to the table. A delivery then costs one PRAGMA read instead of the row and its text, and the same object
 * comes back while nothing changed, so the SMTP processes keep its compiled form by identity. A write anywhere in
 * control.db by another process refreshes the entries on their next read; a change to a script is never served
 * stale. Entries of deleted aliases are never asked for again (alias ids are not reused) and go when the map is full.
 */
import { ConflictError } from '@mailyard/errors';
import type Database from 'better-sqlite3-multiple-ciphers';
import { newId } from './secrets.js';
import { checkedScriptName, checkScriptContent, checkScriptCount } from './sieve-scripts.js';
import { isUniqueViolation, type StatementFor } from './sqlite-queries.js';
import type { NewSieveScript, SieveScript, SieveScriptPatch } from './types.js';

interface SieveScriptRow {
  id: string;
  alias_id: string;
  name: string;
  content: string;
  is_active: number;
  created_at: number;
  updated_at: number;
}

function toScript(row: SieveScriptRow): SieveScript {
  return {
    id: row.id,
    aliasId: row.alias_id,
    name: row.name,
    content: row.content,
    isActive: row.is_active === 1,
    size: Buffer.byteLength(row.content, 'utf8'),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Aliases whose active script is kept in memory; the map is emptied when it grows past this. */
const MAX_CACHED_ACTIVE = 4096;

interface CachedActive {
  dataVersion: number;
  writes: number;
  script: SieveScript | null;
}

export class SqliteSieveScriptTable {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;
  readonly #dataVersion: Database.Statement;
  readonly #active = new Map<string, CachedActive>();
  /** Writes to sieve_scripts through this connection (data_version does not count a connection's own). */
  #writes = 0;

  constructor(db: Database.Database, sql: StatementFor) {
    this.#db = db;
    this.#sql = sql;
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  list(aliasId: string): SieveScript[] {
    const rows = this.#sql('SELECT * FROM sieve_scripts WHERE alias_id = ? ORDER BY name').all(
      aliasId,
    ) as SieveScriptRow[];
    return rows.map(toScript);
  }

  get(aliasId: string, idOrName: string): SieveScript | null {
    const row = this.#row(aliasId, idOrName);
    return row ? toScript(row) : null;
  }

  /** The active script; the same (frozen) object on every call until a script of control.db changes. */
  active(aliasId: string): SieveScript | null {
    const dataVersion = this.#dataVersion.get() as number;
    const cached = this.#active.get(aliasId);
    if (cached && cached.dataVersion === dataVersion && cached.writes === this.#writes) return cached.script;
    const row = this.#sql('SELECT * FROM sieve_scripts WHERE alias_id = ? AND is_active = 1').get(aliasId) as
      | SieveScriptRow
      | undefined;
    const script = row ? Object.freeze(toScript(row)) : null;
    if (this.#active.size >= MAX_CACHED_ACTIVE) this.#active.clear();
    this.#active.set(aliasId, { dataVersion, writes: this.#writes, script });
    return script;
  }

  /** A new script; ConflictError when the name is taken. Count, insert and activation share one transaction. */
  create(aliasId: string, input: NewSieveScript): SieveScript {
    const name = checkedScriptName(input.name);
    checkScriptContent(input.content);
    const id = newId();
    const insert = this.#db.transaction(() => {
      checkScriptCount(
        this.#sql('SELECT count(*) FROM sieve_scripts WHERE alias_id = ?').pluck().get(aliasId) as number,
      );
      const now = Date.now();
      this.#sql(
        `INSERT INTO sieve_scripts (id, alias_id, name, content, is_active, created_at, updated_at)
           VALUES (?, ?, ?, ?, 0, ?, ?)`,
      ).run(id, aliasId, name, input.content, now, now);
      if (input.isActive) this.#activate(aliasId, id);
    });
    this.#write(name, () => insert.immediate());
    return this.get(aliasId, id) as SieveScript;
  }

  /** Changes name, content or activation (false deactivates it); null when the script is not the alias's. */
  update(aliasId: string, idOrName: string, patch: SieveScriptPatch): SieveScript | null {
    const current = this.#row(aliasId, idOrName);
    if (!current) return null;
    const name = patch.name === undefined ? current.name : checkedScriptName(patch.name);
    if (patch.content !== undefined) checkScriptContent(patch.content);
    const apply = this.#db.transaction(() => {
      this.#sql('UPDATE sieve_scripts SET name = ?, content = ?, updated_at = ? WHERE id = ?').run(
        name,
        patch.content ?? current.content,
        Date.now(),
        current.id,
      );
      if (patch.isActive === true) this.#activate(aliasId, current.id);
      if (patch.isActive === false) this.#sql('UPDATE sieve_scripts SET is_active = 0 WHERE id = ?').run(current.id);
    });
    this.#write(name, () => apply.immediate());
    return this.get(aliasId, current.id);
  }

  /**
   * ManageSieve PUTSCRIPT (RFC 5804 §2.6): replaces the content of the script of that name, or creates it. By name
   * only: a name that happens to be another script's id must not replace that script.
   */
  put(aliasId: string, name: string, content: string): SieveScript {
    const existing = this.#sql('SELECT * FROM sieve_scripts WHERE alias_id = ? AND name = ?').get(
      aliasId,
      checkedScriptName(name),
    ) as SieveScriptRow | undefined;
    if (existing) return this.update(aliasId, existing.id, { content }) as SieveScript;
    return this.create(aliasId, { name, content });
  }

  /** False when not found; ConflictError (code ACTIVE) for the active script unless `allowActive`. */
  delete(aliasId: string, idOrName: string, allowActive: boolean): boolean {
    const row = this.#row(aliasId, idOrName);
    if (!row) return false;
    if (row.is_active === 1 && !allowActive) {
      throw new ConflictError('the active script cannot be deleted; deactivate it first', { code: 'ACTIVE' });
    }
    this.#writes++;
    return this.#sql('DELETE FROM sieve_scripts WHERE id = ?').run(row.id).changes === 1;
  }

  /** Makes the script active (and every other inactive); null deactivates all. False when the script is unknown. */
  setActive(aliasId: string, idOrName: string | null): boolean {
    this.#writes++;
    const apply = this.#db.transaction((): boolean => {
      if (idOrName === null) {
        this.#sql('UPDATE sieve_scripts SET is_active = 0 WHERE alias_id = ? AND is_active = 1').run(aliasId);
        return true;
      }
      const row = this.#row(aliasId, idOrName);
      if (!row) return false;
      this.#activate(aliasId, row.id);
      return true;
    });
    return apply.immediate();
  }

  #activate(aliasId: string, id: string): void {
    this.#sql('UPDATE sieve_scripts SET is_active = 0 WHERE alias_id = ? AND is_active = 1 AND id <> ?').run(
      aliasId,
      id,
    );
    this.#sql('UPDATE sieve_scripts SET is_active = 1 WHERE id = ?').run(id);
  }

  /** By id first, then by exact name: ids are 24 hex digits, which a person may also choose as a name. */
  #row(aliasId: string, idOrName: string): SieveScriptRow | undefined {
    return this.#sql(
      'SELECT * FROM sieve_scripts WHERE alias_id = ? AND (id = ? OR name = ?) ORDER BY id = ? DESC LIMIT 1',
    ).get(aliasId, idOrName, idOrName, idOrName) as SieveScriptRow | undefined;
  }

  #write(name: string, write: () => void): void {
    this.#writes++;
    try {
      write();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a script named "${name}" already exists`);
      throw err;
    }
  }
}
