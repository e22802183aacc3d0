/**
 * Folders of a mailbox with IMAP semantics (RFC 3501 §6.3): '/' is the hierarchy delimiter, INBOX is
 * case-insensitive and cannot be deleted or created, CREATE makes missing parents, RENAME moves children
 * along and renaming INBOX moves its messages into the new folder, leaving INBOX empty (§6.3.5).
 * Default folders carry RFC 6154 SPECIAL-USE attributes. UIDVALIDITY strictly increases per mailbox, so a
 * folder deleted and created again never reuses one (§2.3.1.1). Each folder has an RFC 8474 MAILBOXID
 * (objectid.ts). STATUS counts include SIZE (RFC 8438) and DELETED (RFC 9051 §6.3.11).
 */
import { ConflictError, NotFoundError, ValidationError } from '@mailyard/errors';
import { FLAG_DELETED, FLAG_SEEN } from './flags.js';
import { type Db, prep, prepValue } from './schema.js';
import type { CreateFolderOptions, Folder, FolderStatus } from './types.js';

export const DEFAULT_FOLDERS: ReadonlyArray<readonly [string, string | null]> = [
  ['INBOX', null],
  ['Drafts', '\\Drafts'],
  ['Sent', '\\Sent'],
  ['Archive', '\\Archive'],
  ['Junk', '\\Junk'],
  ['Trash', '\\Trash'],
];

interface FolderRow {
  id: number;
  path: string;
  special_use: string | null;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  subscribed: number;
  object_id: string;
}

export interface FolderRef extends Folder {
  id: number;
}

/** The stored form of a path: INBOX (any case) as the first segment becomes 'INBOX'. */
export function pathKey(path: string): string {
  const [first, ...rest] = path.split('/');
  return first?.toUpperCase() === 'INBOX' ? ['INBOX', ...rest].join('/') : path;
}

export function validatePath(path: string): string {
  const invalid =
    path.length === 0 ||
    path.length > 512 ||
    path.startsWith('/') ||
    path.endsWith('/') ||
    path.includes('//') ||
    /[\0\r\n*%]/.test(path);
  if (invalid) throw new ValidationError(`Invalid folder name ${JSON.stringify(path)}`, 'path');
  return pathKey(path);
}

function toFolder(row: FolderRow): FolderRef {
  return {
    id: row.id,
    path: row.path,
    specialUse: row.special_use,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next,
    highestModseq: row.highest_modseq,
    subscribed: row.subscribed === 1,
    objectId: row.object_id,
  };
}

export function findFolder(db: Db, path: string): FolderRef | null {
  const row = prep(db, 'SELECT * FROM folders WHERE path_key = ?').get(pathKey(path)) as FolderRow | undefined;
  return row ? toFolder(row) : null;
}

export function requireFolder(db: Db, path: string): FolderRef {
  const folder = findFolder(db, path);
  if (!folder) throw new NotFoundError(`No folder ${JSON.stringify(path)}`);
  return folder;
}

export function listFolders(db: Db): FolderRef[] {
  return (prep(db, 'SELECT * FROM folders ORDER BY path_key').all() as FolderRow[]).map(toFolder);
}

function nextUidValidity(db: Db): number {
  const last = prepValue(db, `SELECT value FROM meta WHERE key = 'last_uid_validity'`).get() as number;
  const next = Math.max(Math.floor(Date.now() / 1000), last + 1);
  prep(db, `UPDATE meta SET value = ? WHERE key = 'last_uid_validity'`).run(next);
  return next;
}

function insertFolder(db: Db, key: string, opts: CreateFolderOptions): void {
  // A name still subscribed from a deleted folder of the same name is the new folder's subscription.
  prep(db, 'DELETE FROM orphan_subscriptions WHERE path_key = ?').run(key);
  prep(db, 'INSERT INTO folders (path, path_key, special_use, uid_validity, subscribed) VALUES (?, ?, ?, ?, ?)').run(
    key,
    key,
    opts.specialUse ?? null,
    nextUidValidity(db),
    opts.subscribed === false ? 0 : 1,
  );
}

export function createFolder(db: Db, path: string, opts: CreateFolderOptions = {}): FolderRef {
  const key = validatePath(path);
  const run = db.transaction(() => {
    if (findFolder(db, key)) throw new ConflictError(`Folder ${JSON.stringify(path)} already exists`);
    const segments = key.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (!findFolder(db, parent)) insertFolder(db, parent, {});
    }
    insertFolder(db, key, opts);
  });
  run.immediate();
  return requireFolder(db, key);
}

export function createDefaultFolders(db: Db): void {
  const run = db.transaction(() => {
    for (const [path, specialUse] of DEFAULT_FOLDERS) if (!findFolder(db, path)) insertFolder(db, path, { specialUse });
  });
  run.immediate();
}

/** Renames a folder and every folder below it; returns [old path, new path] pairs. INBOX is handled by the caller. */
export function renameFolderTree(db: Db, from: string, to: string): Array<[string, string]> {
  const fromKey = validatePath(from);
  const toKey = validatePath(to);
  const run = db.transaction(() => {
    requireFolder(db, fromKey);
    if (toKey === 'INBOX' || toKey.startsWith(`${fromKey}/`)) {
      throw new ValidationError(`Cannot rename ${JSON.stringify(from)} to ${JSON.stringify(to)}`, 'path');
    }
    if (findFolder(db, toKey)) throw new ConflictError(`Folder ${JSON.stringify(to)} already exists`);
    const tree = listFolders(db).filter((f) => f.path === fromKey || f.path.startsWith(`${fromKey}/`));
    const update = prep(db, 'UPDATE folders SET path = ?, path_key = ? WHERE id = ?');
    const renamed: Array<[string, string]> = [];
    for (const folder of tree) {
      const newPath = toKey + folder.path.slice(fromKey.length);
      if (findFolder(db, newPath)) throw new ConflictError(`Folder ${JSON.stringify(newPath)} already exists`);
      update.run(newPath, newPath, folder.id);
      if (prep(db, 'DELETE FROM orphan_subscriptions WHERE path_key = ?').run(newPath).changes > 0) {
        prep(db, 'UPDATE folders SET subscribed = 1 WHERE id = ?').run(folder.id);
      }
      renamed.push([folder.path, newPath]);
    }
    const segments = toKey.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (!findFolder(db, parent)) insertFolder(db, parent, {});
    }
    return renamed;
  });
  return run.immediate();
}

export function setSubscribed(db: Db, path: string, subscribed: boolean): void {
  const key = pathKey(path);
  const orphaned = prep(db, 'SELECT 1 FROM orphan_subscriptions WHERE path_key = ?').get(key) !== undefined;
  // SUBSCRIBE of a deleted folder's name that is still subscribed changes nothing (and loses nothing).
  if (subscribed && orphaned && !findFolder(db, key)) return;
  // UNSUBSCRIBE also removes the name of a deleted folder (RFC 3501 §6.3.7).
  const folder = orphaned && !subscribed ? findFolder(db, key) : requireFolder(db, path);
  if (orphaned) prep(db, 'DELETE FROM orphan_subscriptions WHERE path_key = ?').run(key);
  if (folder) prep(db, 'UPDATE folders SET subscribed = ? WHERE id = ?').run(subscribed ? 1 : 0, folder.id);
}

/** Subscribed names whose folder no longer exists (RFC 3501 §6.3.6), in name order. */
export function orphanSubscriptions(db: Db): string[] {
  return prepValue(db, 'SELECT path FROM orphan_subscriptions ORDER BY path_key').all() as string[];
}

/** DELETE keeps a subscribed folder's name subscribed (inside the caller's transaction). */
export function keepSubscription(db: Db, folder: FolderRef): void {
  if (folder.subscribed) {
    prep(db, 'INSERT OR IGNORE INTO orphan_subscriptions (path_key, path) VALUES (?, ?)').run(
      pathKey(folder.path),
      folder.path,
    );
  }
}

export function folderStatus(db: Db, path: string): FolderStatus {
  const folder = requireFolder(db, path);
  const counts = prep(
    db,
    `SELECT count(*) AS messages, coalesce(sum(size), 0) AS size,
            coalesce(sum((flags & ${FLAG_SEEN}) = 0), 0) AS unseen, coalesce(sum(recent), 0) AS recent,
            coalesce(sum((flags & ${FLAG_DELETED}) != 0), 0) AS deleted
       FROM messages WHERE folder_id = ?`,
  ).get(folder.id) as { messages: number; size: number; unseen: number; recent: number; deleted: number };
  return {
    ...counts,
    uidNext: folder.uidNext,
    uidValidity: folder.uidValidity,
    highestModseq: folder.highestModseq,
    mailboxId: folder.objectId,
  };
}

export function publicFolder(folder: FolderRef): Folder {
  const { id: _id, ...rest } = folder;
  return rest;
}
