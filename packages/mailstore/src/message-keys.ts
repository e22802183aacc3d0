/**
 * SORT and THREAD keys (RFC 5256, RFC 5957) per content row, in message_keys, with the sent date beside them
 * so SORT and THREAD read one narrow table instead of the contents rows. Ingest writes them with the message
 * (sortFields reads only the header, about 10 µs); mail stored before the keys existed gets them the first time
 * a SORT or THREAD of its folder needs them (the header bytes sit at the start of contents.raw, never cut out
 * as an attachment). A row of keys is dropped with its content row (ON DELETE CASCADE).
 */
import type { FolderRef } from './folders.js';
import { sortFields } from './indexing.js';
import { type Db, prep, prepValue } from './schema.js';

/** Header rows parsed per write transaction when filling: large enough to amortise the commit. */
const FILL_BATCH = 2000;

/** Derives and stores the keys of one content row from its header bytes (inside the caller's transaction). */
export function writeMessageKeys(db: Db, contentId: number, header: Buffer, sentDate: number | null): void {
  const f = sortFields(header);
  prep(
    db,
    `INSERT OR REPLACE INTO message_keys (content_id, subject, reply, addr_from, addr_to, addr_cc, display_from,
       display_to, message_id, refs, sent_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    contentId,
    f.subject,
    f.replyOrForward ? 1 : 0,
    f.from,
    f.to,
    f.cc,
    f.displayFrom,
    f.displayTo,
    f.messageId,
    JSON.stringify(f.references),
    sentDate,
  );
}

/** Writes the keys that are missing for messages of the folder; returns how many content rows it filled. */
export function ensureMessageKeys(db: Db, folder: FolderRef): number {
  const missing = prepValue(
    db,
    `SELECT EXISTS (SELECT 1 FROM messages m WHERE m.folder_id = ?
        AND NOT EXISTS (SELECT 1 FROM message_keys k WHERE k.content_id = m.content_id))`,
  ).get(folder.id);
  if (missing !== 1) return 0;
  let filled = 0;
  for (;;) {
    const n = fillBatch(db, folder);
    filled += n;
    if (n < FILL_BATCH) return filled;
  }
}

function fillBatch(db: Db, folder: FolderRef): number {
  const rows = prep(
    db,
    `SELECT c.id, substr(c.raw, 1, json_extract(c.mime, '$.bodyStart')), c.sent_date FROM contents c
      WHERE c.id IN (SELECT m.content_id FROM messages m WHERE m.folder_id = ?
                       AND NOT EXISTS (SELECT 1 FROM message_keys k WHERE k.content_id = m.content_id))
      LIMIT ?`,
  ).raw(true);
  const run = db.transaction((): number => {
    const batch = rows.all(folder.id, FILL_BATCH) as Array<[number, Buffer | null, number | null]>;
    for (const [id, header, sent] of batch) writeMessageKeys(db, id, header ?? Buffer.alloc(0), sent);
    return batch.length;
  });
  return run.immediate();
}
