/**
 * Deferred, bounded full-text indexing. Ingest writes a message's lowercased search text to fts_pending (a plain
 * row, cheap) and the trigram index is built afterwards, off the path that makes new mail visible: indexing
 * text costs more than the rest of an ingest, so it also waits while a spool drain runs (handle.ts).
 *
 * Indexing cost grows with the number of distinct trigrams, faster than linearly within one message, so
 * high-entropy text is the worst case (a message of 2 Mi random characters blocked the process for seconds) and
 * anyone who can send mail can supply it. Two limits keep it off the event loop:
 * - the index holds at most FTS_INDEXED_CHARS of each message's text; a message with more keeps its whole text
 *   in fts_overflow, searched there by a plain substring test (search.ts), so nothing becomes unsearchable;
 * - indexPending() does one turn of work, bounded by INDEX_TURN, and the caller yields between turns.
 * SEARCH never waits for the index: text still in fts_pending is searched by the same substring test.
 * Any process holding the key may index pending rows; each turn is one IMMEDIATE transaction.
 */
import { type Db, prep } from './schema.js';

/**
 * Characters of a message's search text (subject, addresses, headers, body, in that order) that go into the
 * trigram index. The cost of indexing one message's random text grows faster than its length: measured on the
 * encrypted store under load, 16 Ki characters took about 25 ms, 32 Ki about 100 ms, 64 Ki about 200 ms (and
 * 64 Ki about 65 ms on an idle machine); ordinary prose costs a small fraction of that, and the text of most
 * mail is far shorter than 32 Ki. The rest of a longer message is searched by substring (fts_overflow).
 */
export const FTS_INDEXED_CHARS = 32 * 1024;

/**
 * One indexing turn, one IMMEDIATE transaction: stop once `chars` characters were indexed (a turn holds at least
 * one message, and never starts one that would take it past `chars`), or once `ms` have passed since it began.
 * The commit that follows (FTS5 writes its segment) costs about as much again, so `ms` is half the block the
 * event loop should tolerate; `chars` bounds a turn to one capped message of hostile text.
 */
export interface IndexBudget {
  chars: number;
  ms: number;
}

export const INDEX_TURN: IndexBudget = { chars: FTS_INDEXED_CHARS, ms: 10 };

const COLUMNS = ['subject', 'addr_from', 'addr_to', 'addr_cc', 'addr_bcc', 'headers', 'body'] as const;
const FTS_COLUMNS = COLUMNS.join(', ');

type Column = (typeof COLUMNS)[number];
type ColumnText = Record<Column, string>;

export interface SearchText {
  subject: string;
  from: string;
  to: string;
  cc: string;
  bcc: string;
  headers: string;
  body: string;
}

export interface IndexTurn {
  /** Messages indexed in this turn. */
  rows: number;
  /** Characters of text they put into the index. */
  chars: number;
  /** Whether text is still waiting (another turn is due). */
  more: boolean;
}

function columnText(text: SearchText): ColumnText {
  return {
    subject: text.subject.toLowerCase(),
    addr_from: text.from.toLowerCase(),
    addr_to: text.to.toLowerCase(),
    addr_cc: text.cc.toLowerCase(),
    addr_bcc: text.bcc.toLowerCase(),
    headers: text.headers.toLowerCase(),
    body: text.body.toLowerCase(),
  };
}

/** The first `max` UTF-16 units of `text`, never ending inside a surrogate pair. */
function prefix(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * Splits a message's text into what the index holds (at most FTS_INDEXED_CHARS in all, columns in order) and,
 * when something was cut, the whole text of each cut column (null for columns held whole).
 */
function capText(text: ColumnText): { indexed: ColumnText; overflow: Record<Column, string | null> | null } {
  let left = FTS_INDEXED_CHARS;
  let cut = false;
  const indexed = { ...text };
  const overflow = Object.fromEntries(COLUMNS.map((c) => [c, null])) as Record<Column, string | null>;
  for (const column of COLUMNS) {
    const whole = text[column];
    indexed[column] = prefix(whole, left);
    left -= indexed[column].length;
    if (indexed[column].length === whole.length) continue;
    overflow[column] = whole;
    cut = true;
  }
  return { indexed, overflow: cut ? overflow : null };
}

function textLength(text: ColumnText): number {
  return COLUMNS.reduce((sum, c) => sum + text[c].length, 0);
}

function saveOverflow(db: Db, contentId: number, overflow: Record<Column, string | null>): void {
  prep(db, `INSERT OR REPLACE INTO fts_overflow (content_id, ${FTS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    contentId,
    ...COLUMNS.map((c) => overflow[c]),
  );
}

/** At ingest, in the caller's transaction: the capped text waits for the indexer, the whole text of a long one is kept. */
export function queueSearchText(db: Db, contentId: number, text: SearchText): void {
  const { indexed, overflow } = capText(columnText(text));
  if (overflow) saveOverflow(db, contentId, overflow);
  prep(db, `INSERT INTO fts_pending (content_id, ${FTS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    contentId,
    ...COLUMNS.map((c) => indexed[c]),
  );
}

/** When a content row goes: its text leaves the index, the queue and the overflow. */
export function dropSearchText(db: Db, contentId: number): void {
  prep(db, 'DELETE FROM fts_pending WHERE content_id = ?').run(contentId);
  prep(db, 'DELETE FROM fts_overflow WHERE content_id = ?').run(contentId);
  prep(db, 'DELETE FROM fts WHERE rowid = ?').run(contentId);
}

type PendingRow = ColumnText & { content_id: number };

function nextPending(db: Db, after: number): PendingRow | undefined {
  return prep(
    db,
    `SELECT content_id, ${FTS_COLUMNS} FROM fts_pending WHERE content_id > ? ORDER BY content_id LIMIT 1`,
  ).get(after) as PendingRow | undefined;
}

/**
 * Indexes one pending row. Rows queued before schema 7 may hold a message's whole text: they are capped here
 * the same way, so the index never takes more than FTS_INDEXED_CHARS of any message.
 */
function indexRow(db: Db, row: PendingRow): number {
  const { indexed, overflow } = capText(row);
  if (overflow) saveOverflow(db, row.content_id, overflow);
  prep(db, `INSERT INTO fts (rowid, ${FTS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    row.content_id,
    ...COLUMNS.map((c) => indexed[c]),
  );
  prep(db, 'DELETE FROM fts_pending WHERE content_id = ?').run(row.content_id);
  return textLength(indexed);
}

/** One turn of indexing within `budget`, oldest messages first, in one IMMEDIATE transaction. */
export function indexPending(db: Db, budget: IndexBudget = INDEX_TURN): IndexTurn {
  const run = db.transaction((): IndexTurn => {
    const start = performance.now();
    const turn: IndexTurn = { rows: 0, chars: 0, more: false };
    let row = nextPending(db, 0);
    while (row) {
      const size = Math.min(textLength(row), FTS_INDEXED_CHARS);
      if (turn.rows > 0 && (turn.chars + size > budget.chars || performance.now() - start >= budget.ms)) break;
      turn.chars += indexRow(db, row);
      turn.rows += 1;
      row = nextPending(db, row.content_id);
    }
    turn.more = row !== undefined;
    return turn;
  });
  return run.immediate();
}

/** Indexes everything pending now in one transaction, without yielding: for benchmarks and tools, never a server. */
export function indexAllPending(db: Db): void {
  indexPending(db, { chars: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY });
}
