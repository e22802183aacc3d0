/**
 * A full disk (issue 12 item 9): mail already stored stays readable, and writes fail with StorageFullError
 * (IMAP NO [OVERQUOTA], POP3 -ERR [SYS/TEMP], SMTP 452 4.3.1 through @mailyard/errors).
 *
 * Opening a WAL database needs its -shm file (the WAL index, 32 KiB and more); SQLite removes it when the last
 * connection closes, so on a full disk the next open fails with SQLITE_IOERR_SHMSIZE before a single page is read.
 * SQLite can keep the WAL index in the connection's own memory instead when the connection holds the database
 * in EXCLUSIVE locking mode (https://sqlite.org/wal.html §"Use of WAL Without Shared-Memory"): the mailbox then
 * opens, reads work, and writes fail with SQLITE_FULL. The cost is that the connection holds the database lock
 * for its life, so another process opening the same mailbox waits (busy timeout) and gets a temporary refusal;
 * the mail store therefore closes such a handle as soon as its last session ends (mailstore.ts), and the next
 * open tries the normal way again.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageFullError } from '@mailyard/errors';
import { type Db, openDatabase, prepValue } from './schema.js';

/** Below this much free space an I/O error of SQLite counts as the disk being full. */
const NEARLY_FULL_BYTES = 1024 * 1024;

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Whether `err` comes from a full disk under `dir`: ENOSPC/EDQUOT, SQLITE_FULL, or a SQLite I/O error (the WAL
 * index cannot grow: SQLITE_IOERR_SHMSIZE, ...) while the filesystem has (almost) no space left.
 */
export function isOutOfSpace(err: unknown, dir: string): boolean {
  if (err instanceof StorageFullError) return true;
  const code = errorCode(err);
  if (code === 'ENOSPC' || code === 'EDQUOT' || code.startsWith('SQLITE_FULL')) return true;
  return code.startsWith('SQLITE_IOERR') && freeBytes(dir) < NEARLY_FULL_BYTES;
}

/** `err` as StorageFullError when it comes from a full disk, otherwise unchanged. */
export function storageFullOr(err: unknown, dir: string): unknown {
  if (err instanceof StorageFullError || !isOutOfSpace(err, dir)) return err;
  return new StorageFullError(undefined, { cause: err, details: { code: errorCode(err) } });
}

export interface OpenedDatabase {
  db: Db;
  /** Opened in EXCLUSIVE locking mode because the disk is full: reads only, until it is closed. */
  degraded: boolean;
}

/** Opens the mailbox database, falling back to an EXCLUSIVE-mode connection when the disk is full. */
export function openMailboxDatabase(path: string, dataKey: Buffer): OpenedDatabase {
  try {
    return { db: openDatabase(path, dataKey), degraded: false };
  } catch (err) {
    if (!isOutOfSpace(err, dirname(path))) throw err;
  }
  try {
    return { db: openDatabase(path, dataKey, { exclusive: true }), degraded: true };
  } catch (err) {
    throw storageFullOr(err, dirname(path));
  }
}

/** The UIDs a SELECT reports as \Recent, read without claiming them (claiming is a write the full disk refuses). */
export function recentUids(db: Db, folderId: number): number[] {
  return prepValue(db, 'SELECT uid FROM messages WHERE folder_id = ? AND recent = 1 ORDER BY uid').all(
    folderId,
  ) as number[];
}
