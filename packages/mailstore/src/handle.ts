/**
 * One unlocked mailbox in this process: the database handle shared by all sessions, the keys, and the
 * spool drain. Reference-counted by sessions; the owner (Mailstore) closes it after a grace period once the
 * last session released it, and close() zeroes the data key.
 *
 * When the spool drains: at unlock (every login), on each 'spool' change event (a delivery in any process), and,
 * as a safety net, whenever the spool directory changed since the last drain began, checked every
 * SPOOL_RECHECK_MS while the handle is open. Change events are hints that can be lost (an inotify queue
 * overflow, a notification file cut back while a busy reader was not looking) and a drain can fail (the
 * database busy in another process, a full disk); without the recheck, mail delivered then waited for the next
 * delivery or login however long that took (issue 15: once, 43 s after the last 250). With it, mail is visible to
 * every session of this process (IDLE, NOOP or STATUS polling) within SPOOL_RECHECK_MS plus one drain.
 */
import { createHmac, type KeyObject, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { type MinimalLogger, ValidationError } from '@mailyard/errors';
import { drainFilter, JUNK_KEYWORD, likelySpam, type SpamLearningSettings, type TokenCache } from './bayes.js';
import { checkpointIfLarge } from './checkpoint.js';
import { vacuumIntoInWorker } from './copy-worker.js';
import { openMailboxDatabase } from './disk-full.js';
import { createFolder, type FolderRef, findFolder, listFolders, pathKey, requireFolder } from './folders.js';
import { indexPending } from './fts.js';
import { commitMessage, messageCount, type PreparedMessage, prepareMessage } from './ingest.js';
import { decryptPrivateKey, type KeyFile, sameKey } from './keys.js';
import { ListingCache } from './listing.js';
import { expungeOlderThan, usedBytes } from './messages.js';
import type { MailboxPaths } from './paths.js';
import { notifyKey } from './private-notifier.js';
import { type Db, prep, prepValue } from './schema.js';
import { headerMatchFunction } from './search.js';
import { listBatches, openRecord, privateKeyObject, readBatch, removeBatch, type SpoolMeta } from './spool.js';
import type { ChangeEvent, MailboxUsageReport, QuotaLimit, QuotaSource } from './types.js';

/**
 * Spooled messages committed per drain transaction, at most (bytes of raw message): about 1,000 messages of
 * 4 KB share one fsync; a larger chunk was no faster and delays the first message becoming visible.
 */
const CHUNK_BYTES = 4 * 1024 * 1024;

interface Pending {
  meta: SpoolMeta;
  prepared: PreparedMessage;
}

/** Messages read from the spool and not yet committed, and the batch files whose every record is among them. */
interface DrainChunk {
  pending: Pending[];
  bytes: number;
  readBatches: string[];
}

/** Spool record ids are remembered this long; a batch file never waits in the spool anywhere near as long. */
const INGESTED_ID_TTL_MS = 90 * 24 * 3600 * 1000;

/** Process-random key for the in-memory login cache: a repeat login is checked without running scrypt. */
const LOGIN_CACHE_KEY = randomBytes(32);

/**
 * How often an open handle looks whether its spool directory changed since the last drain began (one stat of
 * the directory): the bound on visibility when change events are lost or a drain failed.
 */
export const SPOOL_RECHECK_MS = 5_000;

export interface HandleDeps {
  /** The byte limit when the quota source has none for this mailbox. */
  quotaBytes: number;
  quotaSource?: QuotaSource;
  spamLearning: SpamLearningSettings;
  publish(event: ChangeEvent): void;
  logger?: MinimalLogger;
  /** A drain the recheck started failed (the owner logs it as it logs every drain failure). */
  onDrainError?(err: unknown): void;
}

/** How often retention may run for one open mailbox. */
const RETENTION_INTERVAL_MS = 3_600_000;

export class MailboxHandle {
  readonly id: string;
  readonly db: Db;
  /** Opened on a full disk (disk-full.ts): reads only; no drain, retention or indexing; closed once unused. */
  readonly degraded: boolean;
  readonly paths: MailboxPaths;
  refs = 0;
  lastUsed = Date.now();
  idleTimer: NodeJS.Timeout | null = null;
  keyFileStamp: string;
  readonly listings = new ListingCache();
  readonly #deps: HandleDeps;
  readonly #dataKey: Buffer;
  /** Seals folder names in change events (private-notifier.ts); zeroed on close like the data key. */
  readonly notifyKey: Buffer;
  readonly #privateKey: KeyObject;
  readonly #publicRaw: Buffer;
  readonly #logins = new Set<string>();
  #drain: Promise<number> | null = null;
  #passRunning = false;
  #indexing: NodeJS.Immediate | null = null;
  #drainAgain = false;
  #closed = false;
  #retentionRanAt = 0;
  /** The spool directory's stamp when the last drain pass began ('' forces the next recheck to drain). */
  #spoolStamp = '';
  #recheck: NodeJS.Timeout | null = null;
  /** The spam classifier's token cache of the last drains (bayes.ts); dropped after a training or when no session is left. */
  #spamCache: TokenCache | null = null;
  #limits: QuotaLimit;
  /** The usage last told to the quota source ('' before the first report or after a failed one). */
  #reportedUsage = '';
  #usageReport: NodeJS.Immediate | null = null;

  constructor(id: string, paths: MailboxPaths, file: KeyFile, dataKey: Buffer, stamp: string, deps: HandleDeps) {
    this.id = id;
    this.paths = paths;
    this.keyFileStamp = stamp;
    this.#deps = deps;
    this.#limits = { bytes: deps.quotaBytes, messages: null };
    this.#dataKey = dataKey;
    this.notifyKey = notifyKey(dataKey);
    const opened = openMailboxDatabase(paths.db, dataKey);
    this.db = opened.db;
    this.degraded = opened.degraded;
    this.db.function('mailyard_header_match', { deterministic: true }, (h, f, n) =>
      headerMatchFunction(String(h), String(f), String(n)),
    );
    this.#privateKey = privateKeyObject(decryptPrivateKey(file, dataKey), file.publicKey);
    this.#publicRaw = Buffer.from(file.publicKey, 'base64');
    this.scheduleIndexing();
    if (!this.degraded) {
      this.#recheck = setInterval(() => void this.#recheckSpool(), SPOOL_RECHECK_MS);
      this.#recheck.unref();
    }
  }

  /** Drains when the spool directory changed since the last drain began (or that drain failed). */
  async #recheckSpool(): Promise<void> {
    if (this.#closed || this.#drain) return;
    if ((await spoolStamp(this.paths.spoolDir)) === this.#spoolStamp) return;
    await this.drainSpool().catch((err: unknown) => this.#deps.onDrainError?.(err));
  }

  /**
   * Builds the full-text index of newly stored mail one bounded turn at a time (fts.ts INDEX_TURN), yielding to
   * the event loop with setImmediate between turns, so no turn holds up other sessions for long. Waits while a
   * drain pass runs, so indexing does not slow down making new mail visible; each pass reschedules it.
   */
  scheduleIndexing(): void {
    if (this.#indexing || this.#closed || this.#passRunning || this.degraded) return;
    this.#indexing = setImmediate(() => {
      this.#indexing = null;
      if (this.#closed || this.#passRunning) return;
      try {
        if (indexPending(this.db).more) this.scheduleIndexing();
      } catch (err) {
        this.#deps.logger?.error({ err, mailboxId: this.id }, 'full-text indexing failed');
      }
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The mailbox's limits as last read from the quota source. */
  get quotaLimit(): QuotaLimit {
    return this.#limits;
  }

  /** Reads the limits again from the quota source (none: the store's default byte limit). */
  async refreshLimits(): Promise<QuotaLimit> {
    const source = this.#deps.quotaSource;
    if (source) this.#limits = (await source.limits(this.id)) ?? { bytes: this.#deps.quotaBytes, messages: null };
    return this.#limits;
  }

  usage(): MailboxUsageReport {
    return { bytes: usedBytes(this.db), messages: messageCount(this.db) };
  }

  /**
   * A write may have changed the usage: tell the quota source once this turn of the event loop is over (many
   * writes of one command make one report, and none when nothing changed).
   */
  noteUsage(): void {
    if (!this.#deps.quotaSource || this.#usageReport || this.#closed) return;
    this.#usageReport = setImmediate(() => {
      this.#usageReport = null;
      void this.reportUsage();
    });
  }

  /** Tells the quota source the usage when it changed since the last report; never throws. */
  async reportUsage(): Promise<void> {
    const source = this.#deps.quotaSource;
    if (!source || this.#closed) return;
    let usage: MailboxUsageReport;
    try {
      usage = this.usage();
    } catch (err) {
      this.#deps.logger?.warn({ err, mailboxId: this.id }, 'mailbox usage not read');
      return;
    }
    const key = `${usage.bytes}:${usage.messages}`;
    if (key === this.#reportedUsage) return;
    this.#reportedUsage = key;
    try {
      await source.report(this.id, usage);
    } catch (err) {
      this.#reportedUsage = '';
      this.#deps.logger?.warn({ err, mailboxId: this.id }, 'mailbox usage not reported');
    }
  }

  get spamLearning(): SpamLearningSettings {
    return this.#deps.spamLearning;
  }

  /** No session is left: the spam token cache (up to about 6 MB) goes; a later drain looks its tokens up again. */
  releaseSpamCache(): void {
    this.#spamCache = null;
  }

  publish(event: Omit<ChangeEvent, 'mailboxId'>): void {
    this.#deps.publish({ mailboxId: this.id, ...event });
  }

  rememberLogin(password: string): void {
    this.#logins.add(loginDigest(this.id, password));
  }

  forgetLogins(): void {
    this.#logins.clear();
  }

  knowsLogin(password: string): boolean {
    return this.#logins.has(loginDigest(this.id, password));
  }

  ownsKey(dataKey: Buffer): boolean {
    return sameKey(this.#dataKey, dataKey);
  }

  /**
   * The encrypted copy of this database at `target` (VACUUM INTO), made in a worker thread with its own
   * connection so the event loop keeps serving (copy-worker.ts). A handle opened on a full disk holds the database
   * in exclusive locking mode, which no other connection can read: it copies on its own connection.
   */
  async vacuumInto(target: string): Promise<void> {
    if (this.degraded) {
      this.db.prepare('VACUUM INTO ?').run(target);
      return;
    }
    await vacuumIntoInWorker(this.paths.db, this.#dataKey, target);
  }

  /**
   * Retention: Trash and Junk keep mail for `days` days after it arrived (internal date), then it is expunged.
   * Runs in whichever process holds the mailbox unlocked (the server cannot open it otherwise), at most hourly.
   */
  applyRetention(days: number, now = Date.now()): number {
    if (days <= 0 || this.#closed || this.degraded || now - this.#retentionRanAt < RETENTION_INTERVAL_MS) return 0;
    this.#retentionRanAt = now;
    const cutoff = now - days * 86_400_000;
    let removed = 0;
    for (const folder of listFolders(this.db)) {
      if (folder.specialUse !== '\\Trash' && folder.specialUse !== '\\Junk') continue;
      for (const uid of expungeOlderThan(this.db, folder, cutoff)) {
        this.publish({ folder: folder.path, kind: 'expunged', uid });
        removed += 1;
      }
    }
    if (removed > 0) this.noteUsage();
    if (removed > 0) this.#deps.logger?.info({ mailboxId: this.id, removed, days }, 'retention expunged old mail');
    return removed;
  }

  /** Ingests every spool record; concurrent calls share one run, and a call during a run schedules another. */
  drainSpool(): Promise<number> {
    if (this.degraded) return Promise.resolve(0);
    if (this.#drain) {
      this.#drainAgain = true;
      return this.#drain;
    }
    this.#drain = this.#drainLoop().finally(() => {
      this.#drain = null;
    });
    return this.#drain;
  }

  async #drainLoop(): Promise<number> {
    let total = 0;
    do {
      this.#drainAgain = false;
      this.#passRunning = true;
      try {
        this.#spoolStamp = await spoolStamp(this.paths.spoolDir);
        total += await this.#drainOnce();
      } catch (err) {
        this.#spoolStamp = '';
        throw err;
      } finally {
        this.#passRunning = false;
      }
      this.scheduleIndexing();
      // Under a steady inflow one indexing turn still runs between passes, so the index does not starve.
      if (this.#drainAgain) await new Promise<void>((resolve) => setImmediate(resolve));
    } while (this.#drainAgain && !this.#closed);
    return total;
  }

  /**
   * One pass over the spool. Records of consecutive batch files share a transaction up to CHUNK_BYTES (group
   * commit: one fsync for many deliveries); a batch file is removed only once every record in it has committed.
   */
  async #drainOnce(): Promise<number> {
    const chunk: DrainChunk = { pending: [], bytes: 0, readBatches: [] };
    const seen = prepValue(this.db, 'SELECT 1 FROM spool_ingested WHERE record_id = ?');
    let count = 0;
    for (const batch of await listBatches(this.paths.spoolDir)) {
      if (this.#closed) break;
      const records = await readBatch(batch);
      if (!records) continue;
      for (const sealed of records) {
        const record = openRecord(this.#privateKey, this.#publicRaw, sealed);
        if (!record) {
          this.#deps.logger?.error({ mailboxId: this.id, batch }, 'spool record does not authenticate; skipped');
          continue;
        }
        if (this.#closed) return count;
        if (seen.get(record.meta.id)) continue;
        chunk.pending.push({ meta: record.meta, prepared: await prepareMessage(record.raw) });
        chunk.bytes += record.raw.length;
        if (chunk.bytes < CHUNK_BYTES) continue;
        const committed = await this.#commitChunk(chunk);
        if (committed < 0) return count;
        count += committed;
      }
      chunk.readBatches.push(batch);
    }
    const committed = await this.#commitChunk(chunk);
    count += Math.max(committed, 0);
    if (count > 0 && !this.#closed)
      prep(this.db, 'DELETE FROM spool_ingested WHERE at < ?').run(Date.now() - INGESTED_ID_TTL_MS);
    return count;
  }

  /**
   * Commits a chunk, reports the new usage, then removes the batch files it read whole and empties it (so the
   * quota source counts the chunk's bytes twice for a moment, never zero times). Returns how many messages were
   * stored, or -1 when the rest must stay spooled (closing).
   */
  async #commitChunk(chunk: DrainChunk): Promise<number> {
    const committed = this.#commitPending(chunk.pending);
    if (committed < 0) return -1;
    if (committed > 0) await this.reportUsage();
    for (const batch of chunk.readBatches) await removeBatch(batch);
    this.#checkpoint();
    chunk.pending = [];
    chunk.bytes = 0;
    chunk.readBatches = [];
    return committed;
  }

  /** Gives the WAL's space back when the drain has grown it (checkpoint.ts); a failure only leaves it large. */
  #checkpoint(): void {
    try {
      checkpointIfLarge(this.db);
    } catch (err) {
      this.#deps.logger?.warn({ err, mailboxId: this.id }, 'checkpoint during drain failed');
    }
  }

  /**
   * Where a spooled message goes: its folder when that exists; created first when the entry asks for it (Sieve
   * fileinto :create, RFC 5490 §3.2), its path added to `created`; INBOX otherwise, also for a name the store
   * refuses (RFC 5228 §4.1 lets an implementation file into a mailbox of its choosing).
   */
  #targetFolder(meta: SpoolMeta, created: string[]): FolderRef {
    if (!meta.folder) return requireFolder(this.db, 'INBOX');
    const found = findFolder(this.db, meta.folder);
    if (found) return found;
    if (!meta.create) return requireFolder(this.db, 'INBOX');
    try {
      const folder = createFolder(this.db, meta.folder);
      created.push(folder.path);
      return folder;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return requireFolder(this.db, 'INBOX');
    }
  }

  /**
   * Which spooled messages the classifier scores (bayes.ts): those bound for INBOX. An entry that names another
   * folder (Sieve fileinto, the MX's own spam verdict) keeps it, even when that folder is missing and it falls
   * back to INBOX.
   */
  #spamVerdicts(chunk: Pending[], junk: FolderRef | null): boolean[] | null {
    const filter = drainFilter(this.db, this.#deps.spamLearning, junk, this.#spamCache);
    this.#spamCache = filter?.cache ?? null;
    if (!filter) return null;
    const sources = chunk.map(({ meta, prepared }) => {
      if (meta.folder && pathKey(meta.folder) !== 'INBOX') return null;
      const { subject, from, text } = prepared.index;
      return { subject, from, body: text };
    });
    return likelySpam(filter, sources);
  }

  /**
   * One IMMEDIATE transaction for spooled messages; -1 when closed. No quota check: every spooled message was
   * acknowledged to its sender (SMTP 250), and the MX enforces the quota before that.
   */
  #commitPending(chunk: Pending[]): number {
    if (chunk.length === 0) return 0;
    if (this.#closed) return -1;
    const added: Array<{ folder: string; uid: number; modseq: number }> = [];
    const created: string[] = [];
    const run = this.db.transaction(() => {
      const junk = listFolders(this.db).find((f) => f.specialUse === '\\Junk') ?? null;
      const spam = this.#spamVerdicts(chunk, junk);
      for (const [i, { meta, prepared }] of chunk.entries()) {
        const target = this.#targetFolder(meta, created);
        const filed = junk && spam?.[i] ? junk : null;
        const folder = filed ?? target;
        const result = commitMessage(this.db, prepared, {
          folderId: folder.id,
          // The $Junk keyword (RFC 5788) shows clients why the message is there; it is no training.
          flags: filed ? [...(meta.flags ?? []), JUNK_KEYWORD] : meta.flags,
          internalDate: new Date(meta.internalDate),
          recordId: meta.id,
          quotaBytes: Number.POSITIVE_INFINITY,
        });
        if (result) added.push({ folder: folder.path, uid: result.uid, modseq: result.modseq });
      }
    });
    run.immediate();
    for (const path of created) this.publish({ folder: path, kind: 'folder' });
    for (const a of added) this.publish({ folder: a.folder, kind: 'added', uid: a.uid, modseq: a.modseq });
    return added.length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#usageReport) {
      clearImmediate(this.#usageReport);
      this.#usageReport = null;
      if (!this.degraded) await this.reportUsage();
    }
    if (this.#closed) return;
    this.#closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.#recheck) clearInterval(this.#recheck);
    if (this.#indexing) clearImmediate(this.#indexing);
    await this.#drain?.catch(() => undefined);
    this.db.close();
    this.listings.clear();
    this.#dataKey.fill(0);
    this.notifyKey.fill(0);
    this.#logins.clear();
  }
}

/** What changes when a batch file is renamed into or removed from the spool directory; '-' when it is absent. */
async function spoolStamp(spoolDir: string): Promise<string> {
  try {
    const s = await stat(spoolDir);
    return `${s.ino}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return '-';
  }
}

function loginDigest(id: string, password: string): string {
  return createHmac('sha256', LOGIN_CACHE_KEY).update(id).update('\0').update(password.normalize('NFC')).digest('hex');
}
