/**
 * Locks every process on one machine shares, for the embedded implementation: leases in the SQLite file the shared
 * counters already use, <dataDir>/coordination/counters.db (WAL). The instances of the imap process, which serves
 * POP3, run side by side without Redis, and the POP3 maildrop lock must hold across all of them; memory cannot do
 * that.
 *
 * Tables, created by whichever process opens the file first (each class opens it on its own handle):
 * - locks: one row per held name (its SHA-256, so the file holds no mailbox id), with the holder's fencing token
 *   and the time its lease ends. A row whose lease has ended is free to take; such rows are swept out at most every
 *   COORDINATION_LIMITS.lockSweepIntervalMs, on an acquire.
 * - lock_fence: one row, the largest token handed out through this file, so tokens increase per name across every
 *   process and across restarts; they also never fall below the clock in COORDINATION_LIMITS.tokensPerMs steps, as
 *   MemoryLocks' do.
 *
 * acquire() is one short BEGIN IMMEDIATE transaction (read the row, raise the fence, write the row), so two
 * processes can never both find a name free; extend() and release() are one statement each that match the holder's
 * token, so a holder whose lease passed to another can neither renew nor remove it. The row alone decides: no
 * per-process state is kept beyond the handle. The calls are synchronous inside (tens of microseconds, under
 * SQLite's write lock) behind the async Locks interface. Lease times are Date.now() of each process: one machine,
 * one clock.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3-multiple-ciphers';
import { COORDINATION_LIMITS } from './limits.js';
import { assertTtl, type Clock } from './memory-locks.js';
import { openSharedFile } from './shared-file.js';
import type { Lock, Locks } from './types.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, token INTEGER NOT NULL, expires_at INTEGER NOT NULL)
    WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS lock_fence (id INTEGER PRIMARY KEY CHECK (id = 1), token INTEGER NOT NULL);
`;

/** The next token: one above the last, and never below the clock's floor. */
const RAISE_FENCE = `
  INSERT INTO lock_fence (id, token) VALUES (1, :floor)
  ON CONFLICT (id) DO UPDATE SET token = max(token + 1, excluded.token)
  RETURNING token
`;

const TAKE = `
  INSERT INTO locks (name, token, expires_at) VALUES (:name, :token, :expiresAt)
  ON CONFLICT (name) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
`;

interface Lease {
  name: string;
  token: number;
}

interface Statements {
  live: Database.Statement<{ name: string; now: number }, { token: number }>;
  raiseFence: Database.Statement<{ floor: number }, { token: number }>;
  take: Database.Statement<Lease & { expiresAt: number }>;
  extend: Database.Statement<Lease & { now: number; expiresAt: number }>;
  release: Database.Statement<Lease>;
  sweep: Database.Statement<{ now: number }>;
}

interface Handle {
  db: Database.Database;
  statements: Statements;
  /** The transaction of acquire() (run .immediate): the new token, or null when the name is held. */
  take: Database.Transaction<(name: string, ttlMs: number) => number | null>;
}

export class FileLocks implements Locks {
  readonly #path: string;
  readonly #now: Clock;
  #handle: Handle | null = null;
  #closed = false;
  #nextSweepAt = 0;

  constructor(path: string, now: Clock = Date.now) {
    this.#path = path;
    this.#now = now;
  }

  async acquire(name: string, ttlMs: number): Promise<Lock | null> {
    assertTtl(ttlMs);
    const handle = this.#open();
    const now = this.#now();
    if (now >= this.#nextSweepAt) {
      handle.statements.sweep.run({ now });
      this.#nextSweepAt = now + COORDINATION_LIMITS.lockSweepIntervalMs;
    }
    const hashed = hashName(name);
    const token = handle.take.immediate(hashed, ttlMs);
    return token === null ? null : this.#lock(name, hashed, token, ttlMs);
  }

  /** Closes the file. Leases still held are not removed: they end with their ttl, as a stopped process's would. */
  close(): void {
    this.#closed = true;
    this.#handle?.db.close();
    this.#handle = null;
  }

  #lock(name: string, hashed: string, token: number, ttlMs: number): Lock {
    let released = false;
    return {
      name,
      token,
      release: async () => {
        if (released) return;
        released = true;
        if (!this.#closed) this.#open().statements.release.run({ name: hashed, token });
      },
      extend: async (extendMs = ttlMs) => {
        assertTtl(extendMs);
        if (released || this.#closed) return false;
        const now = this.#now();
        return (
          this.#open().statements.extend.run({ name: hashed, token, now, expiresAt: now + extendMs }).changes === 1
        );
      },
    };
  }

  #open(): Handle {
    if (this.#handle) return this.#handle;
    if (this.#closed) throw new Error('FileLocks is closed');
    const db = openSharedFile(this.#path, SCHEMA);
    const statements: Statements = {
      live: db.prepare('SELECT token FROM locks WHERE name = :name AND expires_at > :now'),
      raiseFence: db.prepare(RAISE_FENCE),
      take: db.prepare(TAKE),
      extend: db.prepare(
        'UPDATE locks SET expires_at = :expiresAt WHERE name = :name AND token = :token AND expires_at > :now',
      ),
      release: db.prepare('DELETE FROM locks WHERE name = :name AND token = :token'),
      sweep: db.prepare('DELETE FROM locks WHERE expires_at <= :now'),
    };
    const take = db.transaction((name: string, ttlMs: number): number | null => {
      // The clock is read once the write lock is held, so a wait for another process does not shorten the lease.
      const now = this.#now();
      if (statements.live.get({ name, now })) return null;
      const fenced = statements.raiseFence.get({ floor: now * COORDINATION_LIMITS.tokensPerMs });
      if (!fenced) throw new Error('lock fence row missing');
      statements.take.run({ name, token: fenced.token, expiresAt: now + ttlMs });
      return fenced.token;
    });
    this.#handle = { db, statements, take };
    return this.#handle;
  }
}

function hashName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}
