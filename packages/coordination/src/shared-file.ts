/**
 * <dataDir>/coordination/counters.db, the SQLite file every process on the machine shares (the shared counters of
 * file-counters.ts and the lock leases of file-locks.ts, each on a handle of its own), opened in WAL mode with the
 * caller's tables.
 *
 * While another process is creating the file or switching it to WAL, `PRAGMA journal_mode = WAL` can answer
 * SQLITE_BUSY at once, without waiting out busy_timeout (seen with two processes starting together); the open then
 * tries again a few ms later, for up to SHARED_FILE_BUSY_TIMEOUT_MS. The waits block the thread, as SQLite's own busy
 * waits do, and only ever happen at the first open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';

/** Longest wait for another process's write lock: each holder keeps it for one statement or short transaction. */
export const SHARED_FILE_BUSY_TIMEOUT_MS = 5_000;

export function openSharedFile(path: string, schema: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const giveUpAt = Date.now() + SHARED_FILE_BUSY_TIMEOUT_MS;
  for (let waitMs = 1; ; waitMs = Math.min(waitMs * 2, 50)) {
    const db = new Database(path);
    try {
      db.pragma(`busy_timeout = ${SHARED_FILE_BUSY_TIMEOUT_MS}`);
      db.pragma('journal_mode = WAL');
      db.exec(schema);
      return db;
    } catch (error) {
      db.close();
      const busy = String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= giveUpAt) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitMs);
    }
  }
}
