/**
 * Windowed counters every process on one machine shares, for the embedded implementation's sharedRateLimits: one
 * small SQLite file, <dataDir>/coordination/counters.db, in WAL mode. SMTP submission and the API are separate
 * processes, and a limit both count against (the sending limits) must see both counts; memory cannot do that.
 *
 * Each increment is one INSERT ... ON CONFLICT ... RETURNING statement, atomic under SQLite's write lock, so two
 * processes counting at once never lose a count. Keys are stored as their SHA-256, so the file holds no address.
 * The file is opened on first use: a process that never counts against a shared limit never creates it. Expired
 * counters are swept out at most once a minute, on an increment.
 */
import { createHash } from 'node:crypto';
import type { RateLimitStore } from '@mailyard/limits';
import type Database from 'better-sqlite3-multiple-ciphers';
import { openSharedFile } from './shared-file.js';

const SWEEP_INTERVAL_MS = 60_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL)
    WITHOUT ROWID;
`;

/** The start of a window if the counter has expired, else the counter's own: one statement, atomic. */
const INCREMENT = `
  INSERT INTO counters (key, count, reset_at) VALUES (:key, :by, :resetAt)
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN reset_at > :now THEN count + :by ELSE :by END,
    reset_at = CASE WHEN reset_at > :now THEN reset_at ELSE :resetAt END
  RETURNING count, reset_at AS resetAt
`;

export class FileRateLimitStore implements RateLimitStore {
  readonly #path: string;
  #db: Database.Database | null = null;
  #nextSweepAt = 0;

  constructor(path: string) {
    this.#path = path;
  }

  async increment(key: string, windowMs: number, by = 1): Promise<{ count: number; resetAt: number }> {
    if (!(windowMs > 0)) throw new RangeError(`counter windowMs must be positive: ${windowMs}`);
    const db = this.#open();
    const now = Date.now();
    if (now >= this.#nextSweepAt) {
      db.prepare('DELETE FROM counters WHERE reset_at <= ?').run(now);
      this.#nextSweepAt = now + SWEEP_INTERVAL_MS;
    }
    const hashed = createHash('sha256').update(key).digest('hex');
    return db.prepare(INCREMENT).get({ key: hashed, by, now, resetAt: now + Math.ceil(windowMs) }) as {
      count: number;
      resetAt: number;
    };
  }

  close(): void {
    this.#db?.close();
    this.#db = null;
  }

  #open(): Database.Database {
    if (this.#db) return this.#db;
    this.#db = openSharedFile(this.#path, SCHEMA);
    return this.#db;
  }
}
