/**
 * On-disk layout of one mailbox and the durable file primitives used for it.
 *
 *   mailboxes/<ab>/<id>.db          encrypted SQLite database (+ -wal, -shm)
 *   mailboxes/<ab>/<id>.keys.json   key file: public key, wrapped data key, encrypted private key
 *   spool/<ab>/<id>/<batch>.sealed  sealed inbound records, one file per group commit
 *   notify/<ab>/<id>.events         change events, one JSON line each
 *
 * <ab> is the first byte of sha256(id) in hex, so shards fill evenly whatever the id scheme.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MAILBOX_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export interface MailboxPaths {
  db: string;
  keyFile: string;
  spoolDir: string;
  notifyFile: string;
  notifyDir: string;
}

export function assertMailboxId(id: string): void {
  if (!MAILBOX_ID.test(id)) throw new TypeError(`invalid mailbox id ${JSON.stringify(id)}`);
}

export function shardOf(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 2);
}

export function mailboxPaths(dataDir: string, id: string): MailboxPaths {
  assertMailboxId(id);
  const shard = shardOf(id);
  const notifyDir = join(dataDir, 'notify', shard);
  return {
    db: join(dataDir, 'mailboxes', shard, `${id}.db`),
    keyFile: join(dataDir, 'mailboxes', shard, `${id}.keys.json`),
    spoolDir: join(dataDir, 'spool', shard, id),
    notifyDir,
    notifyFile: join(notifyDir, `${id}.events`),
  };
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** fsync a directory so that a rename or unlink inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** Write a file so that readers see either the old or the whole new content: tmp + fsync + rename + dir fsync. */
export async function writeFileAtomic(path: string, data: Buffer | string, dir: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, data, { mode: 0o600 });
    const fd = await open(tmp, 'r+');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // A failed write (a full disk) leaves the old file as it was and no partial temporary file beside it.
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}
