/**
 * What a backup copies of the mail store, named by the store itself so that no other package rebuilds its
 * private layout (paths.ts). Paths are relative to the data dir, so a backup that mirrors them restores by
 * copying the files back. Everything listed stays encrypted: the server cannot read a mailbox it copies.
 *
 * Order per mailbox (copy in the order given): the sealed spool batches, then the key file, then the database.
 * A batch drained between the two copies is then in both, and the record ids kept in the database make its second
 * ingest after a restore a no-op; the other order could lose it.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { assertMailboxId, mailboxPaths } from './paths.js';

const KEY_FILE_SUFFIX = '.keys.json';
const BATCH_SUFFIX = '.sealed';

/** One mailbox's files, relative to the data dir, in copy order. */
export interface MailboxBackupFiles {
  mailboxId: string;
  /** Sealed spool batches waiting to be drained; each may vanish before it is copied (drained meanwhile). */
  spoolBatches: string[];
  /** The key file: without it the database cannot be opened. */
  keyFile: string;
  /** The mailbox database, SQLite in WAL mode: copy it together with `<database>-wal` as one snapshot. */
  database: string;
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function isMailboxId(id: string): boolean {
  try {
    assertMailboxId(id);
    return true;
  } catch {
    return false;
  }
}

/** Every mailbox with a key file (the key file is written last on creation and removed first on deletion). */
export async function listMailboxIds(dataDir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const shard of await names(join(dataDir, 'mailboxes'))) {
    for (const name of await names(join(dataDir, 'mailboxes', shard))) {
      const id = name.slice(0, -KEY_FILE_SUFFIX.length);
      if (name.endsWith(KEY_FILE_SUFFIX) && isMailboxId(id)) ids.push(id);
    }
  }
  return ids.sort();
}

/** One mailbox's files as they are now; list them just before copying, as the spool changes all the time. */
export async function mailboxBackupFiles(dataDir: string, mailboxId: string): Promise<MailboxBackupFiles> {
  const paths = mailboxPaths(dataDir, mailboxId);
  const batches = (await names(paths.spoolDir)).filter((name) => name.endsWith(BATCH_SUFFIX)).sort();
  return {
    mailboxId,
    spoolBatches: batches.map((name) => relative(dataDir, join(paths.spoolDir, name))),
    keyFile: relative(dataDir, paths.keyFile),
    database: relative(dataDir, paths.db),
  };
}
