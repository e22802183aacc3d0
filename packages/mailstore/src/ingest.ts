/**
 * The one ingest path (spool drain, IMAP APPEND, API import): index once with @mailyard/mail, then store the
 * message in a single IMMEDIATE transaction — quota check, content row with attachment ranges cut out and
 * stored once per mailbox by hash, FTS row, SORT/THREAD keys, UID and modseq allocation, journal entry, spool
 * record id.
 * Also the inverse: releasing a content row when its last folder entry goes, and splicing raw bytes back.
 */
import { randomBytes } from 'node:crypto';
import { QuotaExceededError } from '@mailyard/errors';
import { type TrainingClass, train } from './bayes.js';
import { keywordsText, parseFlags } from './flags.js';
import { dropSearchText, queueSearchText } from './fts.js';
import { type IndexedMessage, indexMessage, threadLinks } from './indexing.js';
import { writeMessageKeys } from './message-keys.js';
import { type Db, prep, prepValue } from './schema.js';
import type { AppendResult, JournalKind, QuotaLimit } from './types.js';

/** [offset in the original message, length, sha256 hex] of each attachment range cut out of the raw bytes. */
type Segment = [number, number, string];

export interface PreparedMessage {
  index: IndexedMessage;
  stripped: Buffer;
  segments: Segment[];
  attachments: Map<string, Buffer>;
  size: number;
}

export interface IngestTarget {
  folderId: number;
  flags?: string[];
  internalDate?: Date;
  recordId?: string;
  /** The byte limit, or the mailbox's limits; Infinity for no check (the spool drain: mail already accepted). */
  quotaBytes: number | QuotaLimit;
  /** Train the spam classifier with the new message, in the same transaction (an APPEND into Junk: bayes.ts). */
  trainAs?: TrainingClass;
}

export async function prepareMessage(raw: Buffer): Promise<PreparedMessage> {
  const index = await indexMessage(raw);
  const parts: Buffer[] = [];
  const segments: Segment[] = [];
  const attachments = new Map<string, Buffer>();
  let pos = 0;
  for (const att of [...index.attachments].sort((a, b) => a.start - b.start)) {
    if (att.start < pos || att.end <= att.start || att.end > raw.length) continue;
    parts.push(raw.subarray(pos, att.start));
    segments.push([att.start, att.end - att.start, att.hash]);
    attachments.set(att.hash, raw.subarray(att.start, att.end));
    pos = att.end;
  }
  parts.push(raw.subarray(pos));
  return { index, stripped: Buffer.concat(parts), segments, attachments, size: raw.length };
}

/** Raw bytes of a content row, attachment ranges spliced back in: byte-identical to what was ingested. */
export function spliceRaw(db: Db, stripped: Buffer, segmentsJson: string): Buffer {
  const segments = JSON.parse(segmentsJson) as Segment[];
  if (segments.length === 0) return stripped;
  const getBlob = prepValue(db, 'SELECT data FROM attachments WHERE hash = ?');
  const parts: Buffer[] = [];
  let strippedPos = 0;
  let removed = 0;
  for (const [start, length, hash] of segments) {
    const at = start - removed;
    parts.push(stripped.subarray(strippedPos, at), getBlob.get(hash) as Buffer);
    strippedPos = at;
    removed += length;
  }
  parts.push(stripped.subarray(strippedPos));
  return Buffer.concat(parts);
}

/** A bare number is a byte limit with no message limit. */
export function limitOf(quota: number | QuotaLimit): QuotaLimit {
  return typeof quota === 'number' ? { bytes: quota, messages: null } : quota;
}

/** Messages stored in every folder (RFC 9208 §5.2 MESSAGE resource). */
export function messageCount(db: Db): number {
  return prepValue(db, 'SELECT count(*) FROM messages').get() as number;
}

function usedBytes(db: Db): number {
  return prepValue(db, `SELECT value FROM meta WHERE key = 'used_bytes'`).get() as number;
}

export function addUsedBytes(db: Db, delta: number): void {
  prep(db, `UPDATE meta SET value = value + ? WHERE key = 'used_bytes'`).run(delta);
}

/** Refuses a write that would take the mailbox past its limits (`extra` bytes, `messages` new messages). */
export function assertQuota(db: Db, extra: number, quota: number | QuotaLimit, messages = 1): void {
  const limit = limitOf(quota);
  if (usedBytes(db) + extra > limit.bytes) throw new QuotaExceededError('Mailbox is over its storage quota');
  if (limit.messages !== null && messageCount(db) + messages > limit.messages) {
    throw new QuotaExceededError('Mailbox is over its message quota');
  }
}

/** RFC 5256 §2.2 reference threading: join the thread of any linked message id, else start one. */
function threadFor(db: Db, index: IndexedMessage): string {
  const links = threadLinks(index);
  const find = prepValue(db, 'SELECT thread_id FROM threads WHERE message_id = ?');
  let thread: string | undefined;
  for (const id of links) {
    thread = find.get(id) as string | undefined;
    if (thread) break;
  }
  thread ??= newThreadId();
  const remember = prep(db, 'INSERT OR IGNORE INTO threads (message_id, thread_id) VALUES (?, ?)');
  for (const id of links) remember.run(id, thread);
  return thread;
}

function newThreadId(): string {
  return randomBytes(8).toString('hex');
}

function insertContent(db: Db, msg: PreparedMessage): number {
  const upsert = prep(
    db,
    'INSERT INTO attachments (hash, refcount, data) VALUES (?, 1, ?) ON CONFLICT(hash) DO UPDATE SET refcount = refcount + 1',
  );
  for (const [, , hash] of msg.segments) upsert.run(hash, msg.attachments.get(hash));
  const { index } = msg;
  const headerLines = index.headers.map((h) => `${h.key}: ${h.value}`).join('\n');
  const sentDate = index.date && !Number.isNaN(index.date.getTime()) ? index.date.getTime() : null;
  const id = prep(
    db,
    `INSERT INTO contents (refcount, size, raw, segments, mime, envelope, bodystructure, body, headers, sent_date, thread_id)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    msg.size,
    msg.stripped,
    JSON.stringify(msg.segments),
    JSON.stringify(index.mime),
    JSON.stringify(index.envelope),
    JSON.stringify(index.bodystructure),
    JSON.stringify(index.body),
    JSON.stringify(index.headers),
    sentDate,
    threadFor(db, index),
  ).lastInsertRowid as number;
  writeMessageKeys(db, id, msg.stripped, sentDate);
  queueSearchText(db, id, {
    subject: index.subject,
    from: index.from,
    to: index.to,
    cc: index.cc,
    bcc: index.bcc,
    headers: `${headerLines}\n${index.headerText}`,
    body: index.text,
  });
  return id;
}

export interface FolderCounters {
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
}

/** Next UID and modseq of a folder, allocated inside the caller's transaction. */
export function allocate(db: Db, folderId: number, count = 1): FolderCounters {
  const row = prep(db, 'SELECT uid_validity, uid_next, highest_modseq FROM folders WHERE id = ?').get(
    folderId,
  ) as FolderCounters;
  prep(db, 'UPDATE folders SET uid_next = uid_next + ?, highest_modseq = highest_modseq + ? WHERE id = ?').run(
    count,
    count,
    folderId,
  );
  return row;
}

export function journal(db: Db, folderId: number, modseq: number, uid: number, kind: JournalKind): void {
  prep(db, 'INSERT OR REPLACE INTO changes (folder_id, modseq, uid, kind) VALUES (?, ?, ?, ?)').run(
    folderId,
    modseq,
    uid,
    kind,
  );
}

/** Stores a prepared message; null when its spool record was already ingested (crash-safe drain). */
export function commitMessage(db: Db, msg: PreparedMessage, target: IngestTarget): AppendResult | null {
  const run = db.transaction((): AppendResult | null => {
    if (target.recordId && prep(db, 'SELECT 1 FROM spool_ingested WHERE record_id = ?').get(target.recordId)) {
      return null;
    }
    assertQuota(db, msg.size, target.quotaBytes);
    const contentId = insertContent(db, msg);
    const counters = allocate(db, target.folderId);
    const modseq = counters.highest_modseq + 1;
    const flags = parseFlags(target.flags ?? []);
    prep(
      db,
      `INSERT INTO messages (folder_id, uid, modseq, flags, keywords, recent, internal_date, size, content_id)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    ).run(
      target.folderId,
      counters.uid_next,
      modseq,
      flags.bits,
      keywordsText(flags.keywords),
      (target.internalDate ?? new Date()).getTime(),
      msg.size,
      contentId,
    );
    journal(db, target.folderId, modseq, counters.uid_next, 'added');
    addUsedBytes(db, msg.size);
    if (target.recordId) {
      prep(db, 'INSERT INTO spool_ingested (record_id, at) VALUES (?, ?)').run(target.recordId, Date.now());
    }
    if (target.trainAs) train(db, contentId, target.trainAs);
    return { uid: counters.uid_next, uidValidity: counters.uid_validity, modseq };
  });
  return run.immediate();
}

/** Drops one reference to a content row; at zero the row, its FTS entry and unreferenced attachments go. */
export function releaseContent(db: Db, contentId: number): void {
  const row = prep(db, 'SELECT refcount, segments FROM contents WHERE id = ?').get(contentId) as
    | { refcount: number; segments: string }
    | undefined;
  if (!row) return;
  if (row.refcount > 1) {
    prep(db, 'UPDATE contents SET refcount = refcount - 1 WHERE id = ?').run(contentId);
    return;
  }
  const dec = prep(db, 'UPDATE attachments SET refcount = refcount - 1 WHERE hash = ?');
  const drop = prep(db, 'DELETE FROM attachments WHERE hash = ? AND refcount <= 0');
  for (const [, , hash] of JSON.parse(row.segments) as Segment[]) {
    dec.run(hash);
    drop.run(hash);
  }
  dropSearchText(db, contentId);
  prep(db, 'DELETE FROM contents WHERE id = ?').run(contentId);
}
