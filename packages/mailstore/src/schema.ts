/**
 * Schema of one mailbox database, its migrations and connection pragmas.
 *
 * contents holds each distinct message once (raw bytes minus attachment ranges, a segment list to splice
 * them back, and the FETCH indexes); messages are folder entries pointing at a content row, so COPY does
 * not duplicate bytes. attachments are stored once per mailbox by sha256 with reference counts.
 * fts is an FTS5 trigram index of lowercased text, so a phrase MATCH is an exact case-insensitive substring
 * test (RFC 3501 §6.4.4) answered from the index's positions. (detail=none would halve the insert cost but
 * makes every candidate row be re-read: ten times slower for common words.) New text waits in fts_pending
 * until fts.ts indexes it; the index holds a capped prefix of each message, fts_overflow the whole text of
 * longer ones. changes is the CONDSTORE/QRESYNC journal (RFC 7162). bayes_* hold the mailbox's spam classifier.
 */
import Database from 'better-sqlite3-multiple-ciphers';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    path_key TEXT NOT NULL UNIQUE,
    special_use TEXT,
    uid_validity INTEGER NOT NULL,
    uid_next INTEGER NOT NULL DEFAULT 1,
    highest_modseq INTEGER NOT NULL DEFAULT 1,
    subscribed INTEGER NOT NULL DEFAULT 1
  ) STRICT;
  CREATE TABLE attachments (
    hash TEXT PRIMARY KEY,
    refcount INTEGER NOT NULL,
    data BLOB NOT NULL
  ) STRICT;
  CREATE TABLE contents (
    id INTEGER PRIMARY KEY,
    refcount INTEGER NOT NULL,
    size INTEGER NOT NULL,
    raw BLOB NOT NULL,
    segments TEXT NOT NULL,
    mime TEXT NOT NULL,
    envelope TEXT NOT NULL,
    bodystructure TEXT NOT NULL,
    body TEXT NOT NULL,
    headers TEXT NOT NULL,
    sent_date INTEGER,
    thread_id TEXT NOT NULL
  ) STRICT;
  CREATE TABLE messages (
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    flags INTEGER NOT NULL DEFAULT 0,
    keywords TEXT NOT NULL DEFAULT '',
    recent INTEGER NOT NULL DEFAULT 1,
    internal_date INTEGER NOT NULL,
    size INTEGER NOT NULL,
    content_id INTEGER NOT NULL REFERENCES contents(id),
    PRIMARY KEY (folder_id, uid)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX messages_content ON messages(content_id);
  CREATE TABLE changes (
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    modseq INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (folder_id, modseq, uid)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE threads (message_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL) STRICT, WITHOUT ROWID;
  CREATE TABLE spool_ingested (record_id TEXT PRIMARY KEY, at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
  CREATE VIRTUAL TABLE fts USING fts5(subject, addr_from, addr_to, addr_cc, addr_bcc, headers, body,
    tokenize = 'trigram');
  INSERT INTO meta (key, value) VALUES ('used_bytes', 0), ('last_uid_validity', 0);
  `,
  // 2: listings and SEARCH MODSEQ read the rows changed since a modseq.
  'CREATE INDEX messages_modseq ON messages(folder_id, modseq);',
  // 3: search text waits here until fts.ts indexes it, off the ingest path.
  `CREATE TABLE fts_pending (
    content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
    subject TEXT NOT NULL, addr_from TEXT NOT NULL, addr_to TEXT NOT NULL, addr_cc TEXT NOT NULL,
    addr_bcc TEXT NOT NULL, headers TEXT NOT NULL, body TEXT NOT NULL
  ) STRICT;`,
  // 4: IMAP extensions. OBJECTID (RFC 8474): a MAILBOXID per folder (kept across RENAME, since RENAME keeps the
  // row) and an EMAILID per content row (COPY and MOVE share the row, so the id follows the message); THREADID is
  // the existing thread_id. SAVEDATE (RFC 8514): when the entry was saved into its folder; rows from before
  // this migration take their internal date. The triggers fill the three columns on every insert path (ingest,
  // COPY, MOVE, CREATE), so no writer has to remember them. message_keys holds the SORT/THREAD keys (RFC 5256,
  // RFC 5957) and previews the PREVIEW text (RFC 8970), both derived lazily from the stored message
  // (message-keys.ts, preview.ts) and dropped with their content row.
  `ALTER TABLE folders ADD COLUMN object_id TEXT;
  UPDATE folders SET object_id = 'F' || lower(hex(randomblob(12)));
  CREATE TRIGGER folders_object_id AFTER INSERT ON folders WHEN NEW.object_id IS NULL BEGIN
    UPDATE folders SET object_id = 'F' || lower(hex(randomblob(12))) WHERE id = NEW.id;
  END;
  ALTER TABLE contents ADD COLUMN email_id TEXT;
  UPDATE contents SET email_id = 'M' || lower(hex(randomblob(12)));
  CREATE TRIGGER contents_email_id AFTER INSERT ON contents WHEN NEW.email_id IS NULL BEGIN
    UPDATE contents SET email_id = 'M' || lower(hex(randomblob(12))) WHERE id = NEW.id;
  END;
  CREATE INDEX contents_email_id ON contents(email_id);
  CREATE INDEX contents_thread_id ON contents(thread_id);
  ALTER TABLE messages ADD COLUMN saved_date INTEGER;
  UPDATE messages SET saved_date = internal_date;
  CREATE TRIGGER messages_saved_date AFTER INSERT ON messages WHEN NEW.saved_date IS NULL BEGIN
    UPDATE messages SET saved_date = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
     WHERE folder_id = NEW.folder_id AND uid = NEW.uid;
  END;
  CREATE TABLE message_keys (
    content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
    subject TEXT NOT NULL, reply INTEGER NOT NULL, addr_from TEXT NOT NULL, addr_to TEXT NOT NULL,
    addr_cc TEXT NOT NULL, display_from TEXT NOT NULL, display_to TEXT NOT NULL,
    message_id TEXT, refs TEXT NOT NULL
  ) STRICT;
  CREATE TABLE previews (
    content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
    text TEXT NOT NULL
  ) STRICT;`,
  // 5: SORT by DATE and THREAD read the sent date beside the other keys, so they never touch contents rows (whose
  // raw bytes make every read of a later column walk the blob's pages). Keys are rebuilt to fill it.
  `ALTER TABLE message_keys ADD COLUMN sent_date INTEGER;
  DELETE FROM message_keys;`,
  // 6: RFC 3501 §6.3.6: deleting a folder does not remove its name from the subscriptions. Subscribed names
  // whose folder is gone wait here (LSUB and LIST (SUBSCRIBED) show them as \NonExistent) until UNSUBSCRIBE,
  // or until a folder of that name is created again, which takes the subscription back.
  `CREATE TABLE orphan_subscriptions (path_key TEXT PRIMARY KEY, path TEXT NOT NULL) STRICT, WITHOUT ROWID;`,
  // 7: the index holds only a prefix of each message's text (fts.ts FTS_INDEXED_CHARS: indexing hostile text
  // stalled the process). A longer message keeps the whole text of each cut column here, searched by substring;
  // a column held whole is null. Rows indexed before stay as they are (whole text, still exact); rows still
  // pending are capped when indexed.
  `CREATE TABLE fts_overflow (
    content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
    subject TEXT, addr_from TEXT, addr_to TEXT, addr_cc TEXT, addr_bcc TEXT, headers TEXT, body TEXT
  ) STRICT;`,
  // 8: the mailbox's own spam classifier (bayes.ts). bayes_tokens counts, per hashed token, the spam and ham
  // messages it was trained on (seen: the training serial that last touched it, so pruning drops the rarest and
  // stalest first); bayes_trained remembers as what each content row was trained, so training again is a no-op
  // and a move out of Junk can take a spam training back. The message counts per class sit in meta.
  `CREATE TABLE bayes_tokens (
    token INTEGER PRIMARY KEY,
    spam INTEGER NOT NULL,
    ham INTEGER NOT NULL,
    seen INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE bayes_trained (
    content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
    class TEXT NOT NULL CHECK (class IN ('spam', 'ham'))
  ) STRICT;
  INSERT INTO meta (key, value) VALUES ('bayes_spam', 0), ('bayes_ham', 0), ('bayes_serial', 0);`,
  // 9: every SELECT claims the folder's \Recent messages (RFC 3501 §2.3.2): without an index that read and the
  // UPDATE that follows walked every row of the folder (about 5 ms at 20,000 messages). The partial index holds
  // only the rows still recent, so the claim costs what there is to claim.
  'CREATE INDEX messages_recent ON messages(folder_id, uid) WHERE recent = 1;',
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens the encrypted database with its raw 256-bit key (no KDF) and applies pragmas and migrations.
 * A null key opens it unencrypted: only benchmarks do that, to measure what encryption costs.
 * `exclusive` keeps the WAL index in this process's memory instead of the -shm file, holding the database lock
 * for the connection's life: the way to open it when the disk has no room for a -shm file (disk-full.ts).
 */
export function openDatabase(path: string, dataKey: Buffer | null, opts: { exclusive?: boolean } = {}): Db {
  const db = new Database(path);
  try {
    if (dataKey) {
      db.pragma(`cipher='chacha20'`);
      db.pragma(`key="x'${dataKey.toString('hex')}'"`);
    }
    if (opts.exclusive) db.pragma('locking_mode = EXCLUSIVE');
    applyPragmas(db);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function applyPragmas(db: Db): void {
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('secure_delete = ON');
  db.pragma('cache_size = -2048');
  db.pragma('temp_store = MEMORY');
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT');
  const apply = db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION)
      throw new Error(`mailbox schema ${current} is newer than this code (${SCHEMA_VERSION})`);
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
    else if (current !== SCHEMA_VERSION) db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION);
  });
  apply.immediate();
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement cached per connection (preparing costs more than running a small statement). */
export function prep(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** Like prep(), returning the first column only. */
export function prepValue(db: Db, sql: string): Database.Statement {
  const key = `pluck:${sql}`;
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let stmt = cache.get(key);
  if (!stmt) {
    stmt = db.prepare(sql).pluck();
    cache.set(key, stmt);
  }
  return stmt;
}
