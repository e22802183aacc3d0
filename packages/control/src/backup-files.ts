/**
 * What a backup copies of the control store, named by the store itself so that no other package rebuilds its
 * on-disk layout: the SQLite backend's one database file (`control.db`, relative to the data dir), encrypted with
 * a key derived from the master key. The outbound queue and delivery log live inside it. Copy it together with
 * `control.db-wal` as one snapshot (WAL mode). The master key is not listed: it is kept apart from backups.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';

/** The SQLite backend's database, relative to the data dir (also the label its key is derived under). */
export const CONTROL_DATABASE_FILE = 'control.db';

export interface ControlBackupFiles {
  /** SQLite databases in WAL mode, relative to the data dir; empty before the store was first opened. */
  databases: string[];
}

export async function controlBackupFiles(dataDir: string): Promise<ControlBackupFiles> {
  try {
    await access(join(dataDir, CONTROL_DATABASE_FILE));
    return { databases: [CONTROL_DATABASE_FILE] };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { databases: [] };
    throw err;
  }
}
