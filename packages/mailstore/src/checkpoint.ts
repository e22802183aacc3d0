/**
 * Keeping the WAL small while a large spool drains (issue 12 item 9). SQLite's automatic checkpoints are
 * PASSIVE: while sessions in other processes keep reading (IMAP clients fetch each new message as it appears),
 * the WAL cannot start over and grows by everything the drain writes, doubling the space the mailbox takes just
 * when the disk may be filling. Between chunks, a drain whose WAL has passed DRAIN_WAL_LIMIT_BYTES runs a
 * TRUNCATE checkpoint (https://sqlite.org/pragma.html#pragma_wal_checkpoint): it waits briefly for those readers
 * to finish their current read, copies the WAL into the database and gives the WAL's space back to the disk.
 */
import { statSync } from 'node:fs';
import type { Db } from './schema.js';

/** A drain checkpoints once the WAL is this large: a few drain chunks (handle.ts CHUNK_BYTES) with their indexes. */
export const DRAIN_WAL_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Longest the checkpoint waits for readers in other processes. It blocks this process's event loop meanwhile, so
 * it is short; readers hold a snapshot for milliseconds, and a checkpoint that gives up is tried after the next
 * chunk.
 */
const CHECKPOINT_WAIT_MS = 250;

export function walBytes(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

/** Runs a TRUNCATE checkpoint when the WAL has passed `limit`; true when the WAL was emptied. */
export function checkpointIfLarge(db: Db, limit = DRAIN_WAL_LIMIT_BYTES): boolean {
  if (walBytes(db.name) < limit) return false;
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${CHECKPOINT_WAIT_MS}`);
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return result?.busy === 0;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}
