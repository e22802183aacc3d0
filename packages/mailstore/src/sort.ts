/**
 * SORT (RFC 5256 §3, RFC 5957 SORT=DISPLAY) and THREAD (RFC 5256 §3) over a folder: the SEARCH part is the same
 * compiled condition SEARCH uses (search.ts), the keys come from message_keys (message-keys.ts), and SQLite orders
 * the rows. String keys are stored casemapped, so SQLite's BINARY collation (memcmp of UTF-8) is the
 * i;ascii-casemap collation the RFC requires. Messages equal on every key stay in sequence (UID) order.
 */
import type { FolderRef } from './folders.js';
import { ensureMessageKeys } from './message-keys.js';
import type { Db } from './schema.js';
import { searchWhere } from './search.js';
import { orderedSubjectThreads, referencesThreads, type ThreadMessage } from './thread.js';
import type { MessageQuery, SearchOptions, SortCriterion, SortKey, ThreadAlgorithm, ThreadNode } from './types.js';

/** RFC 5256 §2.2: the sent date is the Date header in UTC, or the internal date when there is none. */
const SENT_DATE = 'coalesce(k.sent_date, m.internal_date)';

const SORT_COLUMNS: Record<SortKey, string> = {
  arrival: 'm.internal_date',
  cc: 'k.addr_cc',
  date: SENT_DATE,
  from: 'k.addr_from',
  size: 'm.size',
  subject: 'k.subject',
  to: 'k.addr_to',
  displayfrom: 'k.display_from',
  displayto: 'k.display_to',
};

/** The rows a SORT or THREAD reads: contents (wide rows) only when the search program needs them. */
function fromClause(needsContent: boolean): string {
  const contents = needsContent ? 'JOIN contents c ON c.id = m.content_id' : '';
  return `messages m ${contents} LEFT JOIN message_keys k ON k.content_id = m.content_id`;
}

export function sortFolder(
  db: Db,
  folder: FolderRef,
  criteria: readonly SortCriterion[],
  query: MessageQuery,
  opts: SearchOptions = {},
): number[] {
  const columns = criteria.map((c) => `${SORT_COLUMNS[c.key]}${c.reverse ? ' DESC' : ''}`);
  if (columns.some((c) => c.includes('k.'))) ensureMessageKeys(db, folder);
  const where = searchWhere(db, folder, query, opts);
  const sql = `SELECT m.uid FROM ${fromClause(where.needsContent)} WHERE m.folder_id = ? AND ${where.sql}
    ORDER BY ${[...columns, 'm.uid'].join(', ')}`;
  return db
    .prepare(sql)
    .pluck()
    .all(folder.id, ...where.params) as number[];
}

export function threadFolder(
  db: Db,
  folder: FolderRef,
  algorithm: ThreadAlgorithm,
  query: MessageQuery,
  opts: SearchOptions = {},
): ThreadNode[] {
  ensureMessageKeys(db, folder);
  const where = searchWhere(db, folder, query, opts);
  const sql = `SELECT m.uid, ${SENT_DATE}, k.subject, k.reply, k.message_id, k.refs FROM ${fromClause(where.needsContent)}
    WHERE m.folder_id = ? AND ${where.sql} ORDER BY m.uid`;
  const rows = db
    .prepare(sql)
    .raw(true)
    .all(folder.id, ...where.params) as Array<[number, number, string, number, string | null, string]>;
  const messages: ThreadMessage[] = rows.map(([uid, date, subject, reply, messageId, refs]) => ({
    uid,
    date,
    subject,
    reply: reply === 1,
    messageId,
    references: refs === '[]' ? [] : (JSON.parse(refs) as string[]),
  }));
  return algorithm === 'orderedsubject' ? orderedSubjectThreads(messages) : referencesThreads(messages);
}
