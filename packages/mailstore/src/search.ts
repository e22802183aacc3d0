/**
 * RFC 3501 §6.4.4 SEARCH (and RFC 7162 §3.1.5 MODSEQ) compiled to one SQL statement over a folder.
 *
 * String keys are case-insensitive substring matches: the FTS5 table holds lowercased text under the trigram
 * tokenizer, so a phrase MATCH of three or more characters is an exact substring test answered by the index,
 * and shorter needles fall back to GLOB over the same columns (a scan, still exact). Text the index does not
 * hold (not yet indexed, or past the indexed prefix of a long message: fts.ts) is tested with instr(). HEADER narrows with the index and
 * then checks the named field in the stored header list. Dates compare calendar days (UTC) as the
 * RFC asks, "disregarding time and timezone"; SENT* use the Date: header, or the internal date when absent.
 * Extensions: SAVED* on the save date (RFC 8514), OLDER/YOUNGER in seconds (RFC 5032 WITHIN), EMAILID and
 * THREADID (RFC 8474).
 */
import { FLAG_ANSWERED, FLAG_DELETED, FLAG_DRAFT, FLAG_FLAGGED, FLAG_SEEN } from './flags.js';
import type { FolderRef } from './folders.js';
import { threadIdValue } from './objectid.js';
import { type Db, prepValue } from './schema.js';
import type { MessageQuery, SearchOptions, UidBound, UidSet } from './types.js';

const DAY_MS = 86_400_000;

const FLAG_BITS: Record<string, [number, boolean]> = {
  answered: [FLAG_ANSWERED, true],
  deleted: [FLAG_DELETED, true],
  draft: [FLAG_DRAFT, true],
  flagged: [FLAG_FLAGGED, true],
  seen: [FLAG_SEEN, true],
  unanswered: [FLAG_ANSWERED, false],
  undeleted: [FLAG_DELETED, false],
  undraft: [FLAG_DRAFT, false],
  unflagged: [FLAG_FLAGGED, false],
  unseen: [FLAG_SEEN, false],
};

const TEXT_COLUMNS: Record<string, string[]> = {
  subject: ['subject'],
  from: ['addr_from'],
  to: ['addr_to'],
  cc: ['addr_cc'],
  bcc: ['addr_bcc'],
  body: ['body'],
  text: ['subject', 'addr_from', 'addr_to', 'addr_cc', 'addr_bcc', 'headers', 'body'],
};

interface Compiled {
  sql: string;
  params: unknown[];
}

interface Context {
  db: Db;
  folder: FolderRef;
  opts: SearchOptions;
  /** One clock reading per search, so OLDER/YOUNGER in one query agree. */
  now: number;
  uidList?: number[];
}

function dayStart(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

function globEscape(text: string): string {
  return text.replace(/[*?[]/g, (c) => `[${c}]`);
}

function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Messages whose text (in `columns`) holds `needle`, case-insensitively (both sides lowercased, fts.ts). Needles
 * of three or more characters: a trigram phrase MATCH restricted to the columns (exact substring, from the
 * index). Shorter ones have no trigram: GLOB over the same columns, a scan but still exact. Text the index does
 * not hold is tested by substring too: rows still waiting in fts_pending, and the whole text of the columns cut
 * from messages longer than the indexed prefix (fts_overflow; the column is null when it was not cut).
 */
function ftsMatch(folderId: number, columns: string[], needle: string): Compiled {
  const unindexed = unindexedMatch(folderId, columns, needle);
  if ([...needle].length >= 3) {
    const query = `{${columns.join(' ')}} : ${ftsPhrase(needle)}`;
    const sql = `(m.content_id IN (SELECT rowid FROM fts WHERE fts MATCH ?) OR ${unindexed.sql})`;
    return { sql, params: [query, ...unindexed.params] };
  }
  const glob = `*${globEscape(needle)}*`;
  const sql = columns.map((c) => `${c} GLOB ?`).join(' OR ');
  return {
    sql: `(m.content_id IN (SELECT rowid FROM fts WHERE ${sql}) OR ${unindexed.sql})`,
    params: [...columns.map(() => glob), ...unindexed.params],
  };
}

/**
 * instr() is a plain substring test: the same answer the index gives for the same lowercased text. Only rows of
 * messages in the searched folder are read (CASE tests that first; a column is read only when used), so long
 * mail elsewhere in the mailbox (Junk, say) costs this search an index lookup per message, not a scan.
 */
function unindexedMatch(folderId: number, columns: string[], needle: string): Compiled {
  const inFolder = 'EXISTS (SELECT 1 FROM messages f WHERE f.content_id = u.content_id AND f.folder_id = ?)';
  const test = `CASE WHEN ${inFolder} THEN ${columns.map((c) => `instr(u.${c}, ?) > 0`).join(' OR ')} END`;
  const sql = `m.content_id IN (SELECT u.content_id FROM fts_pending u WHERE ${test}
    UNION ALL SELECT u.content_id FROM fts_overflow u WHERE ${test})`;
  const params = [folderId, ...columns.map(() => needle)];
  return { sql, params: [...params, ...params] };
}

function textMatch(folderId: number, key: string, value: string): Compiled {
  const needle = value.toLowerCase();
  if (needle.length === 0) return { sql: '1', params: [] };
  return ftsMatch(folderId, TEXT_COLUMNS[key] ?? [], needle);
}

function headerMatch(folderId: number, field: string, value: string): Compiled {
  const needle = value.toLowerCase();
  const narrow = needle.length > 0 ? ftsMatch(folderId, ['headers'], needle) : { sql: '1', params: [] };
  return {
    sql: `${narrow.sql} AND mailyard_header_match(c.headers, ?, ?)`,
    params: [...narrow.params, field.toLowerCase(), needle],
  };
}

/** Registered per connection: does the header list hold `field` with a value containing `needle`? */
export function headerMatchFunction(headersJson: string, field: string, needle: string): number {
  const headers = JSON.parse(headersJson) as Array<{ key: string; value: string }>;
  return headers.some((h) => h.key === field && h.value.toLowerCase().includes(needle)) ? 1 : 0;
}

function resolveBound(bound: UidBound, star: number): number {
  return bound === '*' ? star : bound;
}

/** UID ranges as RFC 3501 §9 reads them: "*" is the highest UID in the folder; a:b and b:a mean the same. */
function setRanges(set: UidSet, star: number): Array<[number, number]> {
  return set.map((item) => {
    if (typeof item !== 'object') {
      const n = resolveBound(item, star);
      return [n, n];
    }
    const a = resolveBound(item.from, star);
    const b = resolveBound(item.to, star);
    return a <= b ? [a, b] : [b, a];
  });
}

function uidList(ctx: Context): number[] {
  ctx.uidList ??= prepValue(ctx.db, 'SELECT uid FROM messages WHERE folder_id = ? ORDER BY uid').all(
    ctx.folder.id,
  ) as number[];
  return ctx.uidList;
}

function uidSet(ctx: Context, set: UidSet): Compiled {
  const list = uidList(ctx);
  if (list.length === 0 || set.length === 0) return { sql: '0', params: [] };
  const ranges = setRanges(set, list[list.length - 1] as number);
  if (ranges.length > 50) {
    const sql = `EXISTS (SELECT 1 FROM json_each(?) r WHERE m.uid BETWEEN r.value ->> 0 AND r.value ->> 1)`;
    return { sql, params: [JSON.stringify(ranges)] };
  }
  return {
    sql: `(${ranges.map(() => 'm.uid BETWEEN ? AND ?').join(' OR ')})`,
    params: ranges.flat(),
  };
}

function recent(ctx: Context): Compiled {
  if (!ctx.opts.recentUids) return { sql: 'm.recent = 1', params: [] };
  return { sql: 'm.uid IN (SELECT value FROM json_each(?))', params: [JSON.stringify([...ctx.opts.recentUids])] };
}

function dateColumn(key: string): string {
  if (key.startsWith('sent')) return 'coalesce(c.sent_date, m.internal_date)';
  // RFC 8514 §3: rows stored before save dates existed were given their internal date by the migration.
  if (key.startsWith('saved')) return 'coalesce(m.saved_date, m.internal_date)';
  return 'm.internal_date';
}

function dateMatch(key: string, date: Date): Compiled {
  const column = dateColumn(key);
  const start = dayStart(date);
  const op = key.replace(/^(?:sent|saved)/, '');
  if (op === 'before') return { sql: `${column} < ?`, params: [start] };
  if (op === 'on') return { sql: `(${column} >= ? AND ${column} < ?)`, params: [start, start + DAY_MS] };
  return { sql: `${column} >= ?`, params: [start] };
}

/** RFC 5032 §3: OLDER is strictly older than the interval, YOUNGER is younger than or equal to it. */
function withinMatch(key: 'older' | 'younger', seconds: number, now: number): Compiled {
  const cutoff = now - seconds * 1000;
  return key === 'older'
    ? { sql: 'm.internal_date < ?', params: [cutoff] }
    : { sql: 'm.internal_date >= ?', params: [cutoff] };
}

/** RFC 8474 §5: EMAILID and THREADID match the object id exactly (see objectid.ts for their form). */
function objectIdMatch(key: 'emailid' | 'threadid', id: string): Compiled {
  if (key === 'emailid') return { sql: 'c.email_id = ?', params: [id] };
  const thread = threadIdValue(id);
  return thread === null ? { sql: '0', params: [] } : { sql: 'c.thread_id = ?', params: [thread] };
}

function all(parts: Compiled[], joiner: string, empty: string): Compiled {
  if (parts.length === 0) return { sql: empty, params: [] };
  return { sql: `(${parts.map((p) => p.sql).join(joiner)})`, params: parts.flatMap((p) => p.params) };
}

function compile(ctx: Context, q: MessageQuery): Compiled {
  switch (q.key) {
    case 'all':
      return { sql: '1', params: [] };
    case 'and':
      return all(
        q.of.map((p) => compile(ctx, p)),
        ' AND ',
        '1',
      );
    case 'or':
      return all([compile(ctx, q.left), compile(ctx, q.right)], ' OR ', '0');
    case 'not': {
      const inner = compile(ctx, q.of);
      return { sql: `NOT (${inner.sql})`, params: inner.params };
    }
    case 'recent':
      return recent(ctx);
    case 'new':
      return all([recent(ctx), { sql: `(m.flags & ${FLAG_SEEN}) = 0`, params: [] }], ' AND ', '1');
    case 'old': {
      const r = recent(ctx);
      return { sql: `NOT (${r.sql})`, params: r.params };
    }
    case 'keyword':
    case 'unkeyword': {
      const sql = `instr(lower(m.keywords), ?) ${q.key === 'keyword' ? '>' : '='} 0`;
      return { sql, params: [` ${q.keyword.toLowerCase()} `] };
    }
    case 'header':
      return headerMatch(ctx.folder.id, q.field, q.value);
    case 'larger':
      return { sql: 'm.size > ?', params: [q.size] };
    case 'smaller':
      return { sql: 'm.size < ?', params: [q.size] };
    case 'uid':
      return uidSet(ctx, q.set);
    case 'modseq':
      return { sql: 'm.modseq >= ?', params: [q.modseq] };
    case 'older':
    case 'younger':
      return withinMatch(q.key, q.seconds, ctx.now);
    case 'emailid':
    case 'threadid':
      return objectIdMatch(q.key, q.id);
    case 'savedbefore':
    case 'savedon':
    case 'savedsince':
    case 'before':
    case 'on':
    case 'since':
    case 'sentbefore':
    case 'senton':
    case 'sentsince':
      return dateMatch(q.key, q.date);
    case 'bcc':
    case 'cc':
    case 'from':
    case 'to':
    case 'subject':
    case 'body':
    case 'text':
      return textMatch(ctx.folder.id, q.key, q.value);
    default: {
      const [bit, set] = FLAG_BITS[q.key] as [number, boolean];
      return { sql: `(m.flags & ${bit}) ${set ? '!=' : '='} 0`, params: [] };
    }
  }
}

export interface SearchWhere {
  /** SQL condition over `messages m` (and `contents c` when `needsContent`), without the folder test. */
  sql: string;
  params: unknown[];
  needsContent: boolean;
}

/**
 * Compiles a query for statements that add their own columns and order (SORT, THREAD). It never indexes: text
 * not yet indexed is searched where it waits (ftsMatch), so a SEARCH costs no indexing however much is pending.
 */
export function searchWhere(db: Db, folder: FolderRef, query: MessageQuery, opts: SearchOptions = {}): SearchWhere {
  const where = compile({ db, folder, opts, now: Date.now() }, query);
  return { sql: where.sql, params: where.params, needsContent: where.sql.includes('c.') };
}

export function searchFolder(db: Db, folder: FolderRef, query: MessageQuery, opts: SearchOptions = {}): number[] {
  const where = searchWhere(db, folder, query, opts);
  const join = where.needsContent ? 'JOIN contents c ON c.id = m.content_id' : '';
  const sql = `SELECT m.uid FROM messages m ${join} WHERE m.folder_id = ? AND ${where.sql} ORDER BY m.uid`;
  return db
    .prepare(sql)
    .pluck()
    .all(folder.id, ...where.params) as number[];
}
