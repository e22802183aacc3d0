// Restoring a backup made by makeBackup(): verify every file against the manifest first, then copy each one back
// to the same path under the data directory. Run it with the server stopped (docs/operations.md): the processes
// keep database handles open. For each restored database its -wal, -shm and -journal files in the data directory
// are removed first, so SQLite rebuilds its WAL index from the restored WAL on the next open.
// Files in the data directory that the backup does not hold (mailboxes created later, newer spool batches) are
// left alone: mail spooled after the backup still reaches its mailbox on the next login.
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { CONTROL_DATABASE_FILE } from '@mailyard/control';
import { ValidationError } from '@mailyard/errors';
import { readManifest, verifyManifest } from './manifest.js';

export interface RestoreReport {
  files: number;
  bytes: number;
  mailboxes: number;
  controlStore: boolean;
}

function targetPath(dataDir: string, path: string): string {
  const root = resolve(dataDir);
  const target = resolve(root, path);
  if (!target.startsWith(root + sep)) throw new ValidationError(`backup path ${path} leaves the data directory`);
  return target;
}

async function removeDatabase(target: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${target}${suffix}`, { force: true });
}

export async function restoreBackup(backupDir: string, dataDir: string): Promise<RestoreReport> {
  const manifest = await readManifest(backupDir);
  await verifyManifest(backupDir, manifest);
  const targets = manifest.files.map((file) => ({ file, target: targetPath(dataDir, file.path) }));
  for (const { file, target } of targets) {
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    if (file.path.endsWith('.db')) await removeDatabase(target);
    const temporary = `${target}.restore-tmp`;
    await copyFile(join(backupDir, file.path), temporary);
    await rename(temporary, target);
  }
  return {
    files: manifest.files.length,
    bytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0),
    mailboxes: manifest.mailboxes.length,
    controlStore: manifest.files.some((file) => file.path === CONTROL_DATABASE_FILE),
  };
}
