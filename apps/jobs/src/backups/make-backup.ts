// backup: a copy of the control store and of every mailbox, still encrypted, in data/backups/<timestamp>/.
// The directory mirrors the data directory, so restoring is copying files back. What to copy is asked of the
// stores, which own their layout: controlBackupFiles (@mailyard/control: control.db, where the outbound queue
// lives too) and listMailboxIds / mailboxBackupFiles (@mailyard/mailstore: per mailbox its sealed spool batches,
// key file and database, in that order). Beside them, manifest.json lists every file with its size and SHA-256.
// Not included: keys/master.key (keep it apart from the backups: it decrypts control.db), tls/, tmp/, profiles/.
// Databases are copied live and keyless (live-database-copy.ts); a spool batch drained while the backup runs is in
// the database copy that follows it. A mailbox deleted during the copy, or one whose database keeps changing, is
// skipped with its reason and tried again at the next backup.
// A backup is assembled under .<name>.partial and renamed into place when complete; older backups beyond
// retentionCount are deleted, and partial directories left by an interrupted run are removed.
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { controlBackupFiles } from '@mailyard/control';
import { NotFoundError, TryAgainLaterError } from '@mailyard/errors';
import { listMailboxIds, type MailboxBackupFiles, mailboxBackupFiles } from '@mailyard/mailstore';
import { copyLiveDatabase } from './live-database-copy.js';
import { describeFile, MANIFEST_VERSION, type Manifest, writeManifest } from './manifest.js';

export interface BackupOptions {
  dataDir: string;
  /** Default <dataDir>/backups. */
  backupsDir?: string;
  /** Complete backups kept; older ones are deleted. */
  retentionCount: number;
  now?: () => Date;
}

export interface BackupReport {
  dir: string;
  mailboxes: number;
  skipped: Manifest['skipped'];
  files: number;
  bytes: number;
  pruned: string[];
  [key: string]: unknown;
}

const BACKUP_NAME = /^\d{8}T\d{6}-\d{3}Z$/;

/** 20261129T141600-123Z: sorts by time, safe in file names. */
export function backupName(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('.', '-');
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

class BackupWriter {
  readonly files: string[] = [];
  constructor(
    readonly dataDir: string,
    readonly dir: string,
  ) {}

  async copyFile(path: string): Promise<void> {
    await mkdir(dirname(join(this.dir, path)), { recursive: true, mode: 0o700 });
    await copyFile(join(this.dataDir, path), join(this.dir, path));
    this.files.push(path);
  }

  async copyDatabase(path: string): Promise<void> {
    await mkdir(dirname(join(this.dir, path)), { recursive: true, mode: 0o700 });
    const { withWal } = await copyLiveDatabase(join(this.dataDir, path), join(this.dir, path));
    this.files.push(path);
    if (withWal) this.files.push(`${path}-wal`);
  }

  /** Drops the files copied since `mark` (a mailbox that could not be copied whole). */
  async discardFrom(mark: number): Promise<void> {
    for (const path of this.files.splice(mark)) {
      await rm(join(this.dir, path), { force: true });
      if (path.endsWith('.db')) await rm(join(this.dir, `${path}-wal`), { force: true });
    }
  }

  async copyMailbox(files: MailboxBackupFiles): Promise<void> {
    for (const batch of files.spoolBatches) await this.copyFile(batch).catch(ignoreVanished);
    await this.copyFile(files.keyFile);
    await this.copyDatabase(files.database);
  }
}

/** A spool batch drained (and removed) while being listed is in the database copy that follows. */
function ignoreVanished(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}

function skipReason(err: unknown): string | undefined {
  if (err instanceof NotFoundError || (err as NodeJS.ErrnoException).code === 'ENOENT') return 'deleted during backup';
  if (err instanceof TryAgainLaterError) return err.message;
  return undefined;
}

export async function listBackups(backupsDir: string): Promise<string[]> {
  return (await list(backupsDir)).filter((name) => BACKUP_NAME.test(name)).sort();
}

async function prune(backupsDir: string, keep: number, current: string): Promise<string[]> {
  for (const name of await list(backupsDir)) {
    if (name.endsWith('.partial') && name !== current) await rm(join(backupsDir, name), { recursive: true });
  }
  const complete = await listBackups(backupsDir);
  const doomed = complete.slice(0, Math.max(0, complete.length - keep));
  for (const name of doomed) await rm(join(backupsDir, name), { recursive: true, force: true });
  return doomed;
}

export async function makeBackup(options: BackupOptions): Promise<BackupReport> {
  const { dataDir } = options;
  const backupsDir = options.backupsDir ?? join(dataDir, 'backups');
  const at = (options.now ?? (() => new Date()))();
  const name = backupName(at);
  const partialName = `.${name}.partial`;
  const partial = join(backupsDir, partialName);
  await mkdir(partial, { recursive: true, mode: 0o700 });
  const writer = new BackupWriter(dataDir, partial);
  const mailboxes: string[] = [];
  const skipped: Manifest['skipped'] = [];

  for (const database of (await controlBackupFiles(dataDir)).databases) await writer.copyDatabase(database);
  for (const mailboxId of await listMailboxIds(dataDir)) {
    const mark = writer.files.length;
    try {
      await writer.copyMailbox(await mailboxBackupFiles(dataDir, mailboxId));
      mailboxes.push(mailboxId);
    } catch (err) {
      const reason = skipReason(err);
      if (reason === undefined) throw err;
      await writer.discardFrom(mark);
      skipped.push({ mailboxId, reason });
    }
  }

  const files = await Promise.all(writer.files.map((path) => describeFile(partial, path)));
  await writeManifest(partial, { version: MANIFEST_VERSION, createdAt: at.toISOString(), mailboxes, skipped, files });
  const dir = join(backupsDir, name);
  await rename(partial, dir);
  const pruned = await prune(backupsDir, options.retentionCount, partialName);
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  return { dir, mailboxes: mailboxes.length, skipped, files: files.length, bytes, pruned };
}
