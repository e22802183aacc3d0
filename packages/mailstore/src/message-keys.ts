/**
 * SORT and THREAD keys (RFC 5256, RFC 5957) per content row, in message_keys. They are derived from the stored
 * header the first time a SORT or THREAD needs them (the header bytes sit at the start of contents.raw, never cut
 * out as an attachment), so ingest stays as fast as before and mail stored before these keys existed is covered
 * the same way. A row of keys is written once and dropped with its content row (ON DELETE CASCADE).
 */
import type { FolderRef } from './folders.js';
import { sortFields } from './indexing.js';
import { type Db, prep } from './schema.js';

/** Header rows parsed per write transaction: large enough to amortise the commit, short enough to interleave. */
const FILL_BATCH = 2000;

/** Writes the missing keys of every message in the folder; returns how many content rows it filled. */
export function ensureMessageKeys(db: Db, folder: FolderRef): number {
  let filled = 0;
  for (;;) {
    const n = fillBatch(db, folder);
    filled += n;
    if (n < FILL_BATCH) return filled;
  }
}

function fillBatch(db: Db, folder: FolderRef): number {
  const missing = prep(
    db,
    `SELECT c.id, substr(c.raw, 1, json_extract(c.mime, '$.bodyStart')) FROM contents c
      WHERE c.id IN (SELECT content_id FROM messages WHERE folder_id = ?)
        AND NOT EXISTS (SELECT 1 FROM message_keys k WHERE k.content_id = c.id) LIMIT ?`,
  ).raw(true);
  const insert = prep(
    db,
    `INSERT OR IGNORE INTO message_keys (content_id, subject, reply, addr_from, addr_to, addr_cc, display_from,
       display_to, message_id, refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const run = db.transaction((): number => {
    const rows = missing.all(folder.id, FILL_BATCH) as Array<[number, Buffer | null]>;
    for (const [id, header] of rows) {
      const f = sortFields(header ?? Buffer.alloc(0));
      insert.run(
        id,
        f.subject,
        f.replyOrForward ? 1 : 0,
        f.from,
        f.to,
        f.cc,
        f.displayFrom,
        f.displayTo,
        f.messageId,
        JSON.stringify(f.references),
      );
    }
    return rows.length;
  });
  return run.immediate();
}
