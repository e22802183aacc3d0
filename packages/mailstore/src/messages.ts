/**
 * Message operations of one folder with IMAP semantics: listing in UID (= sequence) order, FETCH data,
 * STORE with CONDSTORE (RFC 7162 §3.1.3: every effective change takes a new modseq, recorded in the journal;
 * UNCHANGEDSINCE failures are reported and left alone), COPY/MOVE with new UIDs for COPYUID (RFC 4315 §3,
 * RFC 6851), EXPUNGE of \Deleted messages (RFC 3501 §6.4.3; UID EXPUNGE RFC 4315 §2.1). Each writer runs in
 * one short IMMEDIATE transaction so processes sharing the mailbox serialise on SQLite's WAL lock.
 */
import { keywordClass, learnFromTransfer, train } from './bayes.js';
import { applyFlags, FLAG_DELETED, formatFlags, keywordsOf, keywordsText, parseFlags, sameFlags } from './flags.js';
import { type FolderRef, keepSubscription, pathKey } from './folders.js';
import { addUsedBytes, allocate, assertQuota, journal, releaseContent, spliceRaw } from './ingest.js';
import { threadObjectId } from './objectid.js';
import { type Db, prep, prepValue } from './schema.js';
import type {
  Change,
  CopyResult,
  MessageSummary,
  QuotaLimit,
  StorageStats,
  StoredMessage,
  StoreOperation,
  StoreResult,
} from './types.js';

interface MessageRow {
  uid: number;
  modseq: number;
  flags: number;
  keywords: string;
  size: number;
  internal_date: number;
  content_id: number;
  /** Only read by getMessage (RFC 8514 SAVEDATE). */
  saved_date?: number | null;
}

/** Uncached listing in UID order (sessions go through ListingCache). */
export function listMessages(db: Db, folder: FolderRef): MessageSummary[] {
  const rows = prep(
    db,
    'SELECT uid, modseq, flags, keywords, size, internal_date FROM messages WHERE folder_id = ? ORDER BY uid',
  )
    .raw(true)
    .iterate(folder.id) as Iterable<[number, number, number, string, number, number]>;
  const out: MessageSummary[] = [];
  for (const [uid, modseq, flags, keywords, size, internalDate] of rows) {
    out.push({ uid, modseq, flags: formatFlags(flags, keywords), size, internalDate: new Date(internalDate) });
  }
  return out;
}

function messageRow(db: Db, folder: FolderRef, uid: number): MessageRow | undefined {
  return prep(
    db,
    'SELECT uid, modseq, flags, keywords, size, internal_date, content_id, saved_date FROM messages WHERE folder_id = ? AND uid = ?',
  ).get(folder.id, uid) as MessageRow | undefined;
}

export function getMessage(db: Db, folder: FolderRef, uid: number): StoredMessage | null {
  const row = messageRow(db, folder, uid);
  if (!row) return null;
  const content = prep(
    db,
    'SELECT mime, envelope, bodystructure, body, headers, thread_id, email_id FROM contents WHERE id = ?',
  ).get(row.content_id) as Record<
    'mime' | 'envelope' | 'bodystructure' | 'body' | 'headers' | 'thread_id' | 'email_id',
    string
  >;
  return {
    uid: row.uid,
    modseq: row.modseq,
    flags: formatFlags(row.flags, row.keywords),
    size: row.size,
    internalDate: new Date(row.internal_date),
    threadId: content.thread_id,
    emailId: content.email_id,
    threadObjectId: threadObjectId(content.thread_id),
    savedDate: new Date(row.saved_date ?? row.internal_date),
    envelope: JSON.parse(content.envelope),
    bodystructure: JSON.parse(content.bodystructure),
    body: JSON.parse(content.body),
    mime: JSON.parse(content.mime),
    headers: JSON.parse(content.headers),
  };
}

export function getRaw(db: Db, folder: FolderRef, uid: number): Buffer | null {
  const row = prep(
    db,
    `SELECT c.raw, c.segments FROM messages m JOIN contents c ON c.id = m.content_id
      WHERE m.folder_id = ? AND m.uid = ?`,
  ).get(folder.id, uid) as { raw: Buffer; segments: string } | undefined;
  return row ? spliceRaw(db, row.raw, row.segments) : null;
}

/**
 * getRaw by folder path, in one statement: FETCH reads a thousand bodies in a row, and a folder lookup of its own
 * before each read was about a third of the store's time per message. Null when the folder or the message is
 * missing (the caller tells which).
 */
export function getRawByPath(db: Db, path: string, uid: number): Buffer | null {
  const row = prep(
    db,
    `SELECT c.raw, c.segments FROM folders f JOIN messages m ON m.folder_id = f.id JOIN contents c ON c.id = m.content_id
      WHERE f.path_key = ? AND m.uid = ?`,
  ).get(pathKey(path), uid) as { raw: Buffer; segments: string } | undefined;
  return row ? spliceRaw(db, row.raw, row.segments) : null;
}

export function getMime(db: Db, folder: FolderRef, uid: number): string | null {
  return (
    (prepValue(
      db,
      'SELECT c.mime FROM messages m JOIN contents c ON c.id = m.content_id WHERE m.folder_id = ? AND m.uid = ?',
    ).get(folder.id, uid) as string | undefined) ?? null
  );
}

function rowsFor(db: Db, folder: FolderRef, uids: readonly number[]): MessageRow[] {
  const unique = [...new Set(uids)].sort((a, b) => a - b);
  const rows: MessageRow[] = [];
  for (const uid of unique) {
    const row = messageRow(db, folder, uid);
    if (row) rows.push(row);
  }
  return rows;
}

/**
 * RFC 3501 STORE; with `learn`, setting $Junk or $NotJunk trains the spam classifier (bayes.ts keywordClass) in
 * the same transaction, as a move into or out of Junk does.
 */
export function storeFlags(
  db: Db,
  folder: FolderRef,
  uids: readonly number[],
  op: StoreOperation,
  opts: TransferOptions = {},
): StoreResult {
  const change = parseFlags(op.flags);
  const update = prep(db, 'UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE folder_id = ? AND uid = ?');
  const run = db.transaction((): StoreResult => {
    const result: StoreResult = { updated: [], failed: [] };
    let modseq = prepValue(db, 'SELECT highest_modseq FROM folders WHERE id = ?').get(folder.id) as number;
    for (const row of rowsFor(db, folder, uids)) {
      if (op.unchangedSince !== undefined && row.modseq > op.unchangedSince) {
        result.failed.push(row.uid);
        continue;
      }
      const current = { bits: row.flags, keywords: keywordsOf(row.keywords) };
      const next = applyFlags(current, op.mode, change);
      if (sameFlags(current, next)) {
        result.updated.push({ uid: row.uid, flags: formatFlags(row.flags, row.keywords), modseq: row.modseq });
        continue;
      }
      modseq += 1;
      const text = keywordsText(next.keywords);
      update.run(next.bits, text, modseq, folder.id, row.uid);
      journal(db, folder.id, modseq, row.uid, 'flags');
      const cls = opts.learn ? keywordClass(current.keywords, next.keywords) : null;
      if (cls) train(db, row.content_id, cls);
      result.updated.push({ uid: row.uid, flags: formatFlags(next.bits, text), modseq });
    }
    prep(db, 'UPDATE folders SET highest_modseq = ? WHERE id = ?').run(modseq, folder.id);
    return result;
  });
  return run.immediate();
}

/** Copies messages into dest inside the caller's transaction; shares content rows (refcount), counts quota. */
function copyRows(
  db: Db,
  rows: MessageRow[],
  dest: FolderRef,
  quotaBytes: number | QuotaLimit,
  countQuota: boolean,
): number[] {
  const total = rows.reduce((sum, r) => sum + r.size, 0);
  if (countQuota) assertQuota(db, total, quotaBytes, rows.length);
  const counters = allocate(db, dest.id, rows.length);
  const insert = prep(
    db,
    `INSERT INTO messages (folder_id, uid, modseq, flags, keywords, recent, internal_date, size, content_id)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`,
  );
  const bump = prep(db, 'UPDATE contents SET refcount = refcount + 1 WHERE id = ?');
  const destUids: number[] = [];
  rows.forEach((row, i) => {
    const uid = counters.uid_next + i;
    const modseq = counters.highest_modseq + 1 + i;
    insert.run(dest.id, uid, modseq, row.flags, row.keywords, row.internal_date, row.size, row.content_id);
    bump.run(row.content_id);
    journal(db, dest.id, modseq, uid, 'added');
    destUids.push(uid);
  });
  if (countQuota) addUsedBytes(db, total);
  return destUids;
}

/**
 * How a COPY, MOVE or STORE is done: `learn` trains the mailbox's spam classifier on moves into and out of Junk
 * and on the $Junk / $NotJunk keywords.
 */
export interface TransferOptions {
  learn?: boolean;
}

/**
 * COPY, or with `move` RFC 6851 MOVE: copy then expunge the sources, atomically. A move keeps the stored content
 * (no quota change); a copy counts the new references against the quota. Training (bayes.ts) commits with it.
 */
function transferMessages(
  db: Db,
  folder: FolderRef,
  uids: readonly number[],
  dest: FolderRef,
  quotaBytes: number | QuotaLimit,
  move: boolean,
  opts: TransferOptions,
): CopyResult {
  const run = db.transaction((): CopyResult => {
    const rows = rowsFor(db, folder, uids);
    const destUids = copyRows(db, rows, dest, quotaBytes, !move);
    if (move) removeRows(db, folder, rows, false);
    if (opts.learn)
      learnFromTransfer(
        db,
        folder,
        dest,
        rows.map((r) => r.content_id),
      );
    return { uidValidity: dest.uidValidity, sourceUids: rows.map((r) => r.uid), destUids };
  });
  return run.immediate();
}

export function copyMessages(
  db: Db,
  folder: FolderRef,
  uids: readonly number[],
  dest: FolderRef,
  quotaBytes: number | QuotaLimit,
  opts: TransferOptions = {},
): CopyResult {
  return transferMessages(db, folder, uids, dest, quotaBytes, false, opts);
}

export function moveMessages(
  db: Db,
  folder: FolderRef,
  uids: readonly number[],
  dest: FolderRef,
  quotaBytes: number | QuotaLimit,
  opts: TransferOptions = {},
): CopyResult {
  return transferMessages(db, folder, uids, dest, quotaBytes, true, opts);
}

/** Deletes rows, journals each as expunged with a new modseq; releases content unless it moved elsewhere. */
function removeRows(db: Db, folder: FolderRef, rows: MessageRow[], release: boolean): void {
  if (rows.length === 0) return;
  const counters = allocate(db, folder.id, 0);
  let modseq = counters.highest_modseq;
  const del = prep(db, 'DELETE FROM messages WHERE folder_id = ? AND uid = ?');
  const unbump = prep(db, 'UPDATE contents SET refcount = refcount - 1 WHERE id = ?');
  for (const row of rows) {
    modseq += 1;
    del.run(folder.id, row.uid);
    journal(db, folder.id, modseq, row.uid, 'expunged');
    if (release) releaseContent(db, row.content_id);
    else unbump.run(row.content_id);
  }
  if (release) addUsedBytes(db, -rows.reduce((sum, r) => sum + r.size, 0));
  prep(db, 'UPDATE folders SET highest_modseq = ? WHERE id = ?').run(modseq, folder.id);
}

export function expungeMessages(db: Db, folder: FolderRef, uids?: readonly number[]): number[] {
  const run = db.transaction((): number[] => {
    const deleted = prep(
      db,
      `SELECT uid, modseq, flags, keywords, size, internal_date, content_id FROM messages
        WHERE folder_id = ? AND (flags & ${FLAG_DELETED}) != 0 ORDER BY uid`,
    ).all(folder.id) as MessageRow[];
    const among = uids ? new Set(uids) : null;
    const rows = among ? deleted.filter((r) => among.has(r.uid)) : deleted;
    removeRows(db, folder, rows, true);
    return rows.map((r) => r.uid);
  });
  return run.immediate();
}

/** Retention: removes every message of the folder whose internal date is before `cutoffMs`, whatever its flags. */
export function expungeOlderThan(db: Db, folder: FolderRef, cutoffMs: number): number[] {
  const run = db.transaction((): number[] => {
    const rows = prep(
      db,
      `SELECT uid, modseq, flags, keywords, size, internal_date, content_id FROM messages
        WHERE folder_id = ? AND internal_date < ? ORDER BY uid`,
    ).all(folder.id, cutoffMs) as MessageRow[];
    removeRows(db, folder, rows, true);
    return rows.map((r) => r.uid);
  });
  return run.immediate();
}

/** Removes every message of a folder and the folder itself. */
export function deleteFolderWithMessages(db: Db, folder: FolderRef): void {
  const run = db.transaction(() => {
    const rows = prep(
      db,
      'SELECT uid, modseq, flags, keywords, size, internal_date, content_id FROM messages WHERE folder_id = ?',
    ).all(folder.id) as MessageRow[];
    prep(db, 'DELETE FROM messages WHERE folder_id = ?').run(folder.id);
    for (const row of rows) releaseContent(db, row.content_id);
    addUsedBytes(db, -rows.reduce((sum, r) => sum + r.size, 0));
    prep(db, 'DELETE FROM folders WHERE id = ?').run(folder.id);
    keepSubscription(db, folder);
  });
  run.immediate();
}

export function moveAllMessages(db: Db, from: FolderRef, dest: FolderRef): void {
  const uids = prepValue(db, 'SELECT uid FROM messages WHERE folder_id = ? ORDER BY uid').all(from.id) as number[];
  moveMessages(db, from, uids, dest, Number.MAX_SAFE_INTEGER);
}

export function changesSince(db: Db, folder: FolderRef, modseq: number): Change[] {
  return prep(db, 'SELECT modseq, uid, kind FROM changes WHERE folder_id = ? AND modseq > ? ORDER BY modseq').all(
    folder.id,
    modseq,
  ) as Change[];
}

export function claimRecent(db: Db, folder: FolderRef): number[] {
  const recent = prepValue(db, 'SELECT uid FROM messages WHERE folder_id = ? AND recent = 1 ORDER BY uid');
  // Nothing recent (every SELECT after the first): no write transaction. A message that turns up after this
  // read is claimed by the next session to look, as if this claim had come a moment earlier.
  if ((recent.all(folder.id) as number[]).length === 0) return [];
  const run = db.transaction((): number[] => {
    const uids = recent.all(folder.id) as number[];
    prep(db, 'UPDATE messages SET recent = 0 WHERE folder_id = ? AND recent = 1').run(folder.id);
    return uids;
  });
  return run.immediate();
}

export function usedBytes(db: Db): number {
  return prepValue(db, `SELECT value FROM meta WHERE key = 'used_bytes'`).get() as number;
}

export function storageStats(db: Db): StorageStats {
  return prep(
    db,
    `SELECT (SELECT count(*) FROM contents) AS contents, count(*) AS attachments,
            coalesce(sum(length(data)), 0) AS attachmentBytes FROM attachments`,
  ).get() as StorageStats;
}
