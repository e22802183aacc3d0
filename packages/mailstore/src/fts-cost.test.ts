/**
 * The cost of full-text indexing stays bounded whatever mail arrives (fts.ts): the index takes at most
 * FTS_INDEXED_CHARS of a message, the text past it stays searchable (RFC 3501 §6.4.4 TEXT and BODY are substring
 * tests of the whole message), and indexing runs in bounded turns that yield to the event loop. Real encrypted
 * SQLite files in a temp dir, the real ingest path; turns and characters are counted, never timed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import { createDefaultFolders, type FolderRef, requireFolder } from './folders.js';
import { FTS_INDEXED_CHARS, INDEX_TURN, indexPending } from './fts.js';
import { commitMessage, prepareMessage } from './ingest.js';
import { readKeyFile, unwrapWithPassword } from './keys.js';
import { copyMessages } from './messages.js';
import { mailboxPaths } from './paths.js';
import { type Db, openDatabase, SCHEMA_VERSION } from './schema.js';
import { headerMatchFunction, searchFolder } from './search.js';

/** Lowercase base64 noise: nearly every trigram new, the costliest text to index. Holds no '_' and no Cyrillic. */
function noise(chars: number): string {
  return randomBytes(Math.ceil((chars * 3) / 4))
    .toString('base64')
    .slice(0, chars)
    .toLowerCase();
}

/** A text/plain message whose body is one long line of `body` (so the decoded text is exactly that). */
function longMessage(body: string, messageId: string): Buffer {
  return textMessage({ subject: 'noise', messageId, body });
}

const UNLIMITED = { chars: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY };

function count(db: Db, sql: string): number {
  return db.prepare(sql).pluck().get() as number;
}

/** Characters each indexed message holds in the FTS table (SQLite length() counts characters). */
function indexedLengths(db: Db): number[] {
  const sum = 'length(subject) + length(addr_from) + length(addr_to) + length(addr_cc) + length(addr_bcc)';
  return db.prepare(`SELECT ${sum} + length(headers) + length(body) FROM fts ORDER BY rowid`).pluck().all() as number[];
}

describe('a mailbox database driven directly (ingest, indexPending, searchFolder)', () => {
  let dir = '';
  let db: Db;
  let inbox: FolderRef;
  const key = randomBytes(32);

  async function freshDb(): Promise<void> {
    dir = await mkdtemp(join(tmpdir(), 'fts-cost-'));
    db = openDatabase(join(dir, 'm.db'), key);
    // HEADER's check of the named field, registered as the mailbox handle registers it (handle.ts).
    db.function('mailyard_header_match', { deterministic: true }, (h, f, n) =>
      headerMatchFunction(String(h), String(f), String(n)),
    );
    createDefaultFolders(db);
    inbox = requireFolder(db, 'INBOX');
  }

  async function ingest(raw: Buffer): Promise<void> {
    commitMessage(db, await prepareMessage(raw), { folderId: inbox.id, quotaBytes: Number.MAX_SAFE_INTEGER });
  }

  const body = (value: string) => searchFolder(db, inbox, { key: 'body', value });
  const text = (value: string) => searchFolder(db, inbox, { key: 'text', value });

  afterEach(async () => {
    db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('words past the indexed prefix, and one across its end, are found before and after indexing', async () => {
    await freshDb();
    await ingest(longMessage('short_text', 'first@example.org')); // '_' never occurs in the noise
    const probe = db.prepare('SELECT * FROM fts_pending').get() as Record<string, string>;
    const beforeBody = ['subject', 'addr_from', 'addr_to', 'addr_cc', 'addr_bcc', 'headers']
      .map((c) => (probe[c] as string).length)
      .reduce((a, b) => a + b, 0);
    // The body's cut falls inside "across_the_cut", after its first five characters.
    const cutAt = FTS_INDEXED_CHARS - beforeBody;
    const big = `${noise(cutAt - 5)}across_the_cut${noise(200_000)}far_away_word жq${noise(300_000)}`;
    await ingest(longMessage(big, 'other@example.org')); // same header lengths

    const pending = db.prepare('SELECT body FROM fts_pending WHERE content_id = 2').pluck().get() as string;
    expect(pending.endsWith('acros')).toBe(true);
    expect(count(db, 'SELECT count(*) FROM fts_overflow')).toBe(1);
    const needles = ['across_the_cut', 'far_away_word', 'жq', 'the_cut', 'FAR_AWAY'];
    for (const needle of needles) expect([needle, body(needle), text(needle)]).toEqual([needle, [2], [2]]);
    expect(body('not_in_any_message')).toEqual([]);

    // A copy shares the content row (and its overflow text); a folder without it finds nothing.
    copyMessages(db, inbox, [2], requireFolder(db, 'Archive'), Number.MAX_SAFE_INTEGER);
    const inFolder = (path: string) => searchFolder(db, requireFolder(db, path), { key: 'body', value: 'far_away' });
    expect([inFolder('Archive'), inFolder('Junk')]).toEqual([[1], []]);

    expect(indexPending(db, UNLIMITED)).toEqual({ rows: 2, chars: expect.any(Number), more: false });
    for (const needle of needles) expect([needle, body(needle), text(needle)]).toEqual([needle, [2], [2]]);
    expect(body('short_text')).toEqual([1]);
    expect(Math.max(...indexedLengths(db))).toBeLessThanOrEqual(FTS_INDEXED_CHARS);
  });

  test('a header longer than the prefix pushes the whole body out of the index, and both stay searchable', async () => {
    await freshDb();
    const header = `X-Filler: ${noise(FTS_INDEXED_CHARS + 1000)}end_of_filler`;
    await ingest(textMessage({ headers: header, body: 'the body_after_headers line', messageId: 'h@example.org' }));
    expect(indexPending(db)).toMatchObject({ rows: 1, more: false });
    const row = db.prepare('SELECT body FROM fts WHERE rowid = 1').pluck().get();
    expect(row).toBe('');
    expect([body('body_after_headers'), text('body_after_headers'), text('end_of_filler')]).toEqual([[1], [1], [1]]);
    expect(body('end_of_filler')).toEqual([]);
    const byHeader = (field: string) => searchFolder(db, inbox, { key: 'header', field, value: 'END_OF_FILLER' });
    expect([byHeader('x-filler'), byHeader('subject')]).toEqual([[1], []]);
  });

  test('a turn never starts a second message past its character budget, and a zero time budget indexes one', async () => {
    await freshDb();
    for (let i = 0; i < 3; i++) await ingest(longMessage(noise(500_000), `big${i}@example.org`));
    for (let i = 0; i < 4; i++) await ingest(longMessage(`small message ${i}`, `small${i}@example.org`));

    const turns = [];
    const byChars = { chars: FTS_INDEXED_CHARS, ms: Number.POSITIVE_INFINITY };
    for (let turn = indexPending(db, byChars); ; turn = indexPending(db, byChars)) {
      turns.push(turn);
      expect(turn.chars).toBeLessThanOrEqual(FTS_INDEXED_CHARS);
      if (!turn.more) break;
    }
    // Each large message fills a turn by itself; the four small ones share the last.
    expect(turns.map((t) => t.rows)).toEqual([1, 1, 1, 4]);
    expect(indexedLengths(db).slice(0, 3)).toEqual([FTS_INDEXED_CHARS, FTS_INDEXED_CHARS, FTS_INDEXED_CHARS]);
    expect(count(db, 'SELECT count(*) FROM fts_overflow')).toBe(3);

    for (let i = 0; i < 3; i++) await ingest(longMessage(`another ${i}`, `again${i}@example.org`));
    const timed = [indexPending(db, { chars: FTS_INDEXED_CHARS, ms: 0 }), indexPending(db, { chars: 1e9, ms: 0 })];
    expect(timed.map((t) => [t.rows, t.more])).toEqual([
      [1, true],
      [1, true],
    ]);
  });

  test('a database from schema 6 keeps its index valid; its pending rows of whole text are capped when indexed', async () => {
    await freshDb();
    const indexedWhole = `${noise(90_000)} indexed_long_ago`;
    const legacy = `${noise(100_000)} legacy_tail_word`;
    await ingest(longMessage('placeholder', 'old@example.org'));
    await ingest(longMessage('placeholder', 'legacy@example.org'));
    // What schema 6 left: a long message indexed whole, and a pending row holding a message's whole text.
    const oldCols = 'subject, addr_from, addr_to, addr_cc, addr_bcc, headers, body';
    db.prepare('UPDATE fts_pending SET body = ? WHERE content_id = 1').run(indexedWhole);
    db.exec(`INSERT INTO fts (rowid, ${oldCols}) SELECT content_id, ${oldCols} FROM fts_pending WHERE content_id = 1;
      DELETE FROM fts_pending WHERE content_id = 1; DELETE FROM fts_overflow;
      DROP TABLE fts_overflow; DROP TABLE bayes_trained; DROP TABLE bayes_tokens;
      DELETE FROM meta WHERE key LIKE 'bayes_%'; DROP INDEX messages_recent; UPDATE schema_version SET version = 6;`);
    db.prepare('UPDATE fts_pending SET body = ? WHERE content_id = 2').run(legacy);
    db.close();

    db = openDatabase(join(dir, 'm.db'), key);
    expect(count(db, 'SELECT version FROM schema_version')).toBe(SCHEMA_VERSION);
    expect([body('indexed_long_ago'), body('legacy_tail_word')]).toEqual([[1], [2]]);
    expect(indexPending(db)).toMatchObject({ rows: 1, more: false });
    expect([body('indexed_long_ago'), body('legacy_tail_word')]).toEqual([[1], [2]]);
    expect(db.prepare('SELECT length(body) FROM fts_overflow WHERE content_id = 2').pluck().get()).toBe(legacy.length);
    const [whole, capped] = indexedLengths(db);
    expect(whole).toBeGreaterThan(90_000);
    expect(capped).toBeLessThanOrEqual(FTS_INDEXED_CHARS);
  });
});

describe('through the store (Mailstore, a session, the handle that indexes in the background)', () => {
  let t: TestStore;
  afterEach(async () => {
    await t.cleanup();
  });

  /** A second connection to the mailbox's database, to watch the index from outside the store. */
  async function watch(): Promise<Db> {
    const paths = mailboxPaths(t.dir, 'm');
    return openDatabase(paths.db, await unwrapWithPassword(await readKeyFile(paths.keyFile), 'pw'));
  }

  test('the handle indexes one turn per event-loop iteration, yielding between turns', async () => {
    expect(INDEX_TURN.chars).toBe(FTS_INDEXED_CHARS); // so each capped message below is a turn of its own
    t = await testStore();
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    const watcher = await watch();
    const pending = watcher.prepare('SELECT count(*) FROM fts_pending').pluck();
    await s.appendMany(
      'INBOX',
      Array.from({ length: 3 }, (_, i) => ({ raw: longMessage(noise(300_000), `turn${i}@example.org`) })),
    );
    // Counted once per event-loop iteration, beside the handle's own setImmediate turns.
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      const tick = () => {
        const n = pending.get() as number;
        if (seen.at(-1) !== n) seen.push(n);
        if (n === 0) resolve();
        else setImmediate(tick);
      };
      tick();
    });
    expect(seen).toEqual([3, 2, 1, 0]);
    expect(Math.max(...indexedLengths(watcher))).toBeLessThanOrEqual(FTS_INDEXED_CHARS);
    watcher.close();
    s.close();
  });

  test('expunging a long message removes its overflow text with its index and queue rows', async () => {
    t = await testStore();
    await t.store.createMailbox('m', 'pw');
    const s = await t.store.open('m', 'pw');
    const watcher = await watch();
    const long = await s.append('INBOX', longMessage(`${noise(200_000)} tail_marker`, 'long@example.org'));
    const short = await s.append('INBOX', textMessage({ body: 'tail_marker too' }));
    expect(s.search('INBOX', { key: 'text', value: 'TAIL_MARKER' })).toEqual([long.uid, short.uid]);
    expect(count(watcher, 'SELECT count(*) FROM fts_overflow')).toBe(1);

    s.store('INBOX', [long.uid], { mode: 'add', flags: ['\\Deleted'] });
    expect(s.expunge('INBOX')).toEqual([long.uid]);
    expect(count(watcher, 'SELECT count(*) FROM fts_overflow')).toBe(0);
    const orphans = `SELECT count(*) FROM (SELECT content_id AS id FROM fts_pending UNION ALL SELECT rowid FROM fts)
      WHERE id NOT IN (SELECT id FROM contents)`;
    expect([count(watcher, 'SELECT count(*) FROM contents'), count(watcher, orphans)]).toEqual([1, 0]);
    expect(s.search('INBOX', { key: 'text', value: 'tail_marker' })).toEqual([short.uid]);
    watcher.close();
    s.close();
  });
});
