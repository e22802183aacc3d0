// A consistent copy of a live SQLite database in WAL mode, made without its key and without taking its locks.
//
// Why not the usual ways: the online backup API (better-sqlite3 db.backup()) and VACUUM INTO need a connection
// that can read the pages, that is the key, and the server has no mailbox keys (zero-access). A keyless
// connection cannot even BEGIN (page 1 does not decrypt: SQLITE_NOTADB), so it cannot hold SQLite's locks either,
// and Node has no fcntl() to take them by hand. Copying the files while holding nothing is not consistent in
// general: a checkpoint may rewrite database pages during the copy, and a WAL restart may overwrite the frames
// those pages came from.
//
// The method (an optimistic read validated afterwards, like a seqlock), relying on SQLite's WAL format
// (https://sqlite.org/walformat.html, https://sqlite.org/fileformat2.html#walformat):
//   1. read the 32-byte WAL header H0 (or note that there is no WAL) and stat the database file;
//   2. copy the database file, stat it again, then copy the WAL file;
//   3. read the live WAL header H1 and the header of the copied WAL; accept when all three are equal and, when
//      there was no WAL, the database file kept its inode, size, mtime and ctime during its copy.
// Within one WAL generation (same header: the salts and the checkpoint sequence change on every restart, and the
// file is emptied by a TRUNCATE checkpoint) frames are only appended, never rewritten once committed, so the
// copied WAL holds every committed frame that existed while the database file was being copied. In WAL mode the
// only writes to the database file are checkpoints, which copy frames of the current generation into it; so
// every page of the copied database that may have changed (or been torn) during its copy has an equal or newer
// version in the copied WAL, and SQLite's WAL recovery on the first open of the copy replays the WAL up to its
// last commit frame (checksums stop it at a torn or uncommitted tail). The copy is the database as of one commit.
// Without a WAL before and after, a connection may still have opened, written, checkpointed and deleted its WAL
// during the copy (the last connection to close does that); an unchanged database file rules that out.
// When a check fails the copy is thrown away and tried again after a short random pause. A mailbox written
// faster than its WAL turns over during one copy (about 1000 pages, 4 MiB) can fail every attempt: it is then
// skipped with its reason and tried again at the next backup (an IMAP bulk import is the realistic case).
// Residual risk: mtime has the kernel's coarse clock resolution, so a checkpoint in the same tick as the first
// stat with no WAL visible before or after would go unnoticed; that needs a whole WAL lifetime in a few ms.
// Encryption is untouched: both files are copied byte for byte, still encrypted with the mailbox's data key.
import { copyFile, open, rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { NotFoundError, TryAgainLaterError } from '@mailyard/errors';

export const WAL_HEADER_BYTES = 32;

/** The WAL header as hex, '' when there is no WAL or it holds no header yet. */
export async function walHeader(walPath: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(walPath, 'r');
    const buffer = Buffer.alloc(WAL_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, WAL_HEADER_BYTES, 0);
    return bytesRead === WAL_HEADER_BYTES ? buffer.toString('hex') : '';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  } finally {
    await handle?.close();
  }
}

/** Copies a file; false when the source does not exist (a WAL removed by the last connection closing). */
async function copyIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await copyFile(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Identity and last change of a file; '' when it does not exist. */
async function fileVersion(path: string): Promise<string> {
  try {
    const info = await stat(path, { bigint: true });
    return `${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

export interface LiveCopyResult {
  /** Attempts needed (1 unless a checkpoint restarted the WAL during the copy). */
  attempts: number;
  /** Whether a WAL file was copied beside the database. */
  withWal: boolean;
}

/**
 * Copies `source` (+ `source-wal`) to `target` (+ `target-wal`) consistently; see the module comment.
 * Throws TryAgainLaterError after `attempts` tries that all raced a WAL restart; the next backup tries again.
 */
export async function copyLiveDatabase(source: string, target: string, attempts = 10): Promise<LiveCopyResult> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await delay(Math.random() * 100 * attempt); // out of step with the writer's checkpoints
    const before = await walHeader(`${source}-wal`);
    const versionBefore = await fileVersion(source);
    await rm(`${target}-wal`, { force: true });
    if (!(await copyIfPresent(source, target))) throw new NotFoundError(`database ${source} disappeared during backup`);
    const versionAfter = await fileVersion(source);
    const withWal = await copyIfPresent(`${source}-wal`, `${target}-wal`);
    const after = await walHeader(`${source}-wal`);
    const copied = withWal ? await walHeader(`${target}-wal`) : '';
    // With a WAL, the unchanged header is the proof; without one, the untouched database file is.
    const stable = before === '' ? versionBefore === versionAfter : true;
    if (before === after && copied === before && stable) {
      if (withWal && copied === '') await rm(`${target}-wal`, { force: true });
      return { attempts: attempt, withWal: withWal && copied !== '' };
    }
  }
  throw new TryAgainLaterError(`database ${source} kept changing WAL generation during backup`);
}
