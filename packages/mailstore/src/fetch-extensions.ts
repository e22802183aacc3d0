/**
 * FETCH data of IMAP extensions: EMAILID and THREADID (RFC 8474 §5, objectid.ts), SAVEDATE (RFC 8514 §3),
 * PREVIEW (RFC 8970) and BINARY[section] / BINARY.SIZE (RFC 3516). A preview is computed from the stored message
 * the first time it is asked for and kept in the previews table (dropped with its content row), so a message list
 * that shows previews pays for each message once.
 */
import type { FolderRef } from './folders.js';
import { getBinarySection, messagePreview } from './indexing.js';
import { getMime, getRaw } from './messages.js';
import { threadObjectId } from './objectid.js';
import { type Db, prep } from './schema.js';
import type { BinarySectionResult, MessageAttributes, PartialRange } from './types.js';

export function messageAttributes(db: Db, folder: FolderRef, uids: readonly number[]): MessageAttributes[] {
  const rows = prep(
    db,
    `SELECT m.uid, c.email_id, c.thread_id, coalesce(m.saved_date, m.internal_date) FROM messages m
       JOIN contents c ON c.id = m.content_id
      WHERE m.folder_id = ? AND m.uid IN (SELECT value FROM json_each(?)) ORDER BY m.uid`,
  )
    .raw(true)
    .all(folder.id, JSON.stringify(uids)) as Array<[number, string, string, number]>;
  return rows.map(([uid, emailId, threadId, saved]) => ({
    uid,
    emailId,
    threadId: threadObjectId(threadId),
    savedDate: new Date(saved),
  }));
}

/** RFC 8970 previews by UID; missing ones are computed and stored in one transaction. */
export function previews(db: Db, folder: FolderRef, uids: readonly number[]): Map<number, string> {
  const rows = prep(
    db,
    `SELECT m.uid, m.content_id, p.text FROM messages m LEFT JOIN previews p ON p.content_id = m.content_id
      WHERE m.folder_id = ? AND m.uid IN (SELECT value FROM json_each(?)) ORDER BY m.uid`,
  )
    .raw(true)
    .all(folder.id, JSON.stringify(uids)) as Array<[number, number, string | null]>;
  const out = new Map<number, string>();
  const missing: Array<[number, string]> = [];
  for (const [uid, contentId, text] of rows) {
    if (text !== null) {
      out.set(uid, text);
      continue;
    }
    const raw = getRaw(db, folder, uid);
    const preview = raw ? messagePreview(raw) : '';
    out.set(uid, preview);
    missing.push([contentId, preview]);
  }
  if (missing.length > 0) storePreviews(db, missing);
  return out;
}

function storePreviews(db: Db, rows: Array<[number, string]>): void {
  const insert = prep(db, 'INSERT OR IGNORE INTO previews (content_id, text) VALUES (?, ?)');
  const run = db.transaction(() => {
    for (const [contentId, text] of rows) insert.run(contentId, text);
  });
  run.immediate();
}

/** RFC 3516 §4.2 BINARY[section]<partial>: a partial applies to the decoded bytes. */
export function binarySection(
  db: Db,
  folder: FolderRef,
  uid: number,
  section: string,
  partial?: PartialRange,
): BinarySectionResult | null {
  const raw = getRaw(db, folder, uid);
  const mime = getMime(db, folder, uid);
  if (!raw || !mime) return null;
  const result = getBinarySection(raw, JSON.parse(mime), section);
  if (result?.kind !== 'data' || !partial) return result;
  const end = partial.length === undefined ? result.data.length : partial.start + partial.length;
  const start = Math.min(partial.start, result.data.length);
  return { kind: 'data', data: result.data.subarray(start, Math.min(end, result.data.length)) };
}
