/**
 * Deferred full-text indexing. Ingest writes a message's search text to fts_pending (a plain row, cheap) and
 * the trigram index is built afterwards in small batches, off the path that makes new mail visible: indexing
 * 4 KB of text costs more than the rest of an ingest, so it also waits while a spool drain runs (handle.ts). Any process holding the key may index pending rows;
 * SEARCH first indexes whatever is still pending, so results are always complete.
 */
import { dirname } from 'node:path';
import { storageFullOr } from './disk-full.js';
import { type Db, prep, prepValue } from './schema.js';

const FTS_COLUMNS = 'subject, addr_from, addr_to, addr_cc, addr_bcc, headers, body';

export interface SearchText {
  subject: string;
  from: string;
  to: string;
  cc: string;
  bcc: string;
  headers: string;
  body: string;
}

export function queueSearchText(db: Db, contentId: number, text: SearchText): void {
  prep(db, `INSERT INTO fts_pending (content_id, ${FTS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    contentId,
    text.subject.toLowerCase(),
    text.from.toLowerCase(),
    text.to.toLowerCase(),
    text.cc.toLowerCase(),
    text.bcc.toLowerCase(),
    text.headers.toLowerCase(),
    text.body.toLowerCase(),
  );
}

export function dropSearchText(db: Db, contentId: number): void {
  prep(db, 'DELETE FROM fts_pending WHERE content_id = ?').run(contentId);
  prep(db, 'DELETE FROM fts WHERE rowid = ?').run(contentId);
}

export function hasPending(db: Db): boolean {
  return prepValue(db, 'SELECT EXISTS (SELECT 1 FROM fts_pending)').get() === 1;
}

/** Moves up to `limit` pending rows into the index in one transaction; returns how many. */
export function indexPending(db: Db, limit: number): number {
  const run = db.transaction((): number => {
    const ids = prepValue(db, 'SELECT content_id FROM fts_pending ORDER BY content_id LIMIT ?').all(limit) as number[];
    if (ids.length === 0) return 0;
    const last = ids[ids.length - 1] as number;
    prep(
      db,
      `INSERT INTO fts (rowid, ${FTS_COLUMNS}) SELECT content_id, ${FTS_COLUMNS} FROM fts_pending WHERE content_id <= ?`,
    ).run(last);
    prep(db, 'DELETE FROM fts_pending WHERE content_id <= ?').run(last);
    return ids.length;
  });
  return run.immediate();
}

/**
 * Before a text search: index everything still pending. On a full disk the index cannot grow, and a search
 * without the pending rows would silently miss mail, so it fails as StorageFullError instead (disk-full.ts).
 */
export function indexAllPending(db: Db): void {
  try {
    while (indexPending(db, 500) > 0);
  } catch (err) {
    throw storageFullOr(err, dirname(db.name));
  }
}
