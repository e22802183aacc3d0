/**
 * The mailbox's own spam classifier: it learns from its owner and lives inside the encrypted database
 * (schema 8: bayes_tokens, bayes_trained, counts in meta), so the server never holds it in plaintext.
 *
 * Learning (learnFromTransfer, inside the COPY/MOVE transaction of messages.ts): a message copied or moved into
 * the \Junk folder (RFC 6154) from elsewhere is trained as spam; one copied or moved out of \Junk into any folder
 * but \Trash is trained as ham (deleting spam teaches nothing). Every protocol gets this from the store: IMAP
 * MOVE (RFC 6851), COPY, and COPY + EXPUNGE from clients without MOVE. Training is per content row and
 * idempotent: bayes_trained records the class; training the other class first takes the earlier one back.
 *
 * Classifying (drainFilter and isLikelySpam, at spool drain in handle.ts): naive Bayes over tokens (bayes-tokens.ts), each
 * token's spam probability estimated after Robinson (a token seen n times moves from 0.5 towards its observed
 * ratio as n grows, so one sighting is weak evidence), the clues whose probability is at least MIN_DEVIATION
 * from 0.5 (at most MAX_CLUES, the strongest) combined with Fisher's chi-square method as SpamBayes does:
 * the result is near 1 for spam, near 0 for ham, and near 0.5 when the evidence is weak or mixed, so a single
 * threshold errs towards keeping mail in INBOX. The drain acts only once settings.minTrained messages of each
 * class are trained (SpamLearningSettings).
 *
 * Size: the token table is pruned back to MAX_TOKEN_ROWS (the rarest, then the least recently trained tokens
 * go first) once it passes that by PRUNE_SLACK, checked every PRUNE_EVERY trainings; about 10 bytes a row, so
 * about 1 MB per mailbox at most. A drain of many messages scores against a copy of the table in memory
 * (TokenTable), loaded once and reloaded only after a training; a drain of a few looks their tokens up in SQLite.
 */
import { messageTokens, type TokenSource } from './bayes-tokens.js';
import type { FolderRef } from './folders.js';
import { type Db, prep, prepValue } from './schema.js';
import type { SpamLearningStatus } from './types.js';

export type TrainingClass = 'spam' | 'ham';

export interface SpamLearningSettings {
  /** Learn from moves into and out of Junk, and file likely spam into Junk at drain. */
  enabled: boolean;
  /** Spam probability (0 to 1) at or above which a drained message goes to Junk. */
  threshold: number;
  /** Messages trained as spam, and as ham, before the drain acts on the classifier. */
  minTrained: number;
}

export const DEFAULT_SPAM_LEARNING: SpamLearningSettings = { enabled: true, threshold: 0.9, minTrained: 10 };

/**
 * Token rows kept per mailbox: about 1 MB on disk, 2 MB as the drain's in-memory table; the vocabulary of a few
 * thousand trained messages (a trained message adds at most 200 tokens, ordinary mail far fewer new ones).
 */
export const MAX_TOKEN_ROWS = 100_000;
const PRUNE_SLACK = 10_000;
const PRUNE_EVERY = 32;
/** Robinson's prior: its strength (in sightings) and the probability a token has before any. */
const PRIOR_STRENGTH = 1;
const PRIOR = 0.5;
/** Clues closer than this to 0.5 say nothing and only dilute the chi-square combination. */
const MIN_DEVIATION = 0.1;
const MAX_CLUES = 150;

/** Whether a transfer from `source` to `dest` teaches the classifier, and what. */
export function transferClass(source: FolderRef, dest: FolderRef): TrainingClass | null {
  const fromJunk = source.specialUse === '\\Junk';
  const toJunk = dest.specialUse === '\\Junk';
  if (toJunk && !fromJunk) return 'spam';
  if (fromJunk && !toJunk && dest.specialUse !== '\\Trash') return 'ham';
  return null;
}

/** Trains the content rows of a COPY or MOVE, in the caller's transaction. */
export function learnFromTransfer(db: Db, source: FolderRef, dest: FolderRef, contentIds: readonly number[]): void {
  const cls = transferClass(source, dest);
  if (!cls) return;
  for (const contentId of new Set(contentIds)) train(db, contentId, cls);
}

/** Trains one stored message as `cls`; false when it already was (or its text is gone). */
export function train(db: Db, contentId: number, cls: TrainingClass): boolean {
  const before = prepValue(db, 'SELECT class FROM bayes_trained WHERE content_id = ?').get(contentId) as
    | TrainingClass
    | undefined;
  if (before === cls) return false;
  const source = storedText(db, contentId);
  if (!source) return false;
  const tokens = messageTokens(source);
  const serial = trainingSerial(db) + 1;
  prep(db, `UPDATE meta SET value = ? WHERE key = 'bayes_serial'`).run(serial);
  if (before) forget(db, tokens, before);
  remember(db, tokens, cls, serial);
  prep(db, 'INSERT OR REPLACE INTO bayes_trained (content_id, class) VALUES (?, ?)').run(contentId, cls);
  if (serial % PRUNE_EVERY === 0) pruneTokens(db);
  return true;
}

function remember(db: Db, tokens: number[], cls: TrainingClass, serial: number): void {
  const spam = cls === 'spam' ? 1 : 0;
  const add = prep(
    db,
    `INSERT INTO bayes_tokens (token, spam, ham, seen) VALUES (?, ?, ?, ?)
       ON CONFLICT(token) DO UPDATE SET spam = spam + excluded.spam, ham = ham + excluded.ham, seen = excluded.seen`,
  );
  for (const token of tokens) add.run(token, spam, 1 - spam, serial);
  prep(db, 'UPDATE meta SET value = value + 1 WHERE key = ?').run(`bayes_${cls}`);
}

/** Takes a training back; a token pruned since is simply absent. */
function forget(db: Db, tokens: number[], cls: TrainingClass): void {
  const spam = cls === 'spam' ? 1 : 0;
  const sub = prep(db, 'UPDATE bayes_tokens SET spam = max(spam - ?, 0), ham = max(ham - ?, 0) WHERE token = ?');
  const drop = prep(db, 'DELETE FROM bayes_tokens WHERE token = ? AND spam = 0 AND ham = 0');
  for (const token of tokens) {
    sub.run(spam, 1 - spam, token);
    drop.run(token);
  }
  prep(db, 'UPDATE meta SET value = max(value - 1, 0) WHERE key = ?').run(`bayes_${cls}`);
}

/** Cuts the table back to MAX_TOKEN_ROWS once it has grown PRUNE_SLACK past it: rarest, then stalest, first. */
export function pruneTokens(db: Db): number {
  const rows = prepValue(db, 'SELECT count(*) FROM bayes_tokens').get() as number;
  if (rows <= MAX_TOKEN_ROWS + PRUNE_SLACK) return 0;
  return prep(
    db,
    `DELETE FROM bayes_tokens WHERE token IN
       (SELECT token FROM bayes_tokens ORDER BY spam + ham, seen LIMIT ?)`,
  ).run(rows - MAX_TOKEN_ROWS).changes;
}

/**
 * The text a message was indexed with (fts.ts keeps it lowercased: queued, indexed, or whole in fts_overflow
 * when the index holds only a prefix), so training reads what the drain scored without parsing the message again.
 */
function storedText(db: Db, contentId: number): TokenSource | null {
  const row = (prep(db, 'SELECT subject, addr_from, body FROM fts_pending WHERE content_id = ?').get(contentId) ??
    prep(db, 'SELECT subject, addr_from, body FROM fts WHERE rowid = ?').get(contentId)) as
    | { subject: string; addr_from: string; body: string }
    | undefined;
  if (!row) return null;
  const whole = prepValue(db, 'SELECT body FROM fts_overflow WHERE content_id = ?').get(contentId) as
    | string
    | null
    | undefined;
  return { subject: row.subject, from: row.addr_from, body: whole ?? row.body };
}

export interface TrainedCounts {
  spam: number;
  ham: number;
}

export function trainedCounts(db: Db): TrainedCounts {
  const read = prepValue(db, 'SELECT value FROM meta WHERE key = ?');
  return { spam: read.get('bayes_spam') as number, ham: read.get('bayes_ham') as number };
}

/**
 * The token table in memory, for scoring at drain: ids and their counts in three typed arrays, found through an
 * open-addressing index (linear probing, at most 3/4 full): about 20 bytes a token, 2 MB at the cap. Looking
 * tokens up in SQLite cost more than the rest of an ingest, a binary search over the ids five times what the
 * index costs (bench/mailstore/spam-learning.ts), and a Map several times the memory. A table is current while
 * bayes_serial, bumped by every training, is unchanged.
 */
export class TokenTable {
  readonly serial: number;
  readonly #ids: Uint32Array;
  readonly #spam: Uint32Array;
  readonly #ham: Uint32Array;
  /** Position in the arrays above of the id hashed to each slot, -1 for an empty slot. */
  readonly #slots: Int32Array;
  readonly #mask: number;

  private constructor(serial: number, size: number) {
    this.serial = serial;
    this.#ids = new Uint32Array(size);
    this.#spam = new Uint32Array(size);
    this.#ham = new Uint32Array(size);
    const slots = 2 ** Math.ceil(Math.log2(Math.max(4, Math.ceil((size * 4) / 3) + 1)));
    this.#slots = new Int32Array(slots).fill(-1);
    this.#mask = slots - 1;
  }

  static load(db: Db): TokenTable {
    const size = prepValue(db, 'SELECT count(*) FROM bayes_tokens').get() as number;
    const table = new TokenTable(trainingSerial(db), size);
    const rows = prep(db, 'SELECT token, spam, ham FROM bayes_tokens').raw(true).iterate() as Iterable<
      [number, number, number]
    >;
    let i = 0;
    for (const [token, spam, ham] of rows) {
      if (i === size) break;
      table.#ids[i] = token;
      table.#spam[i] = spam;
      table.#ham[i] = ham;
      let slot = table.#slotOf(token);
      while ((table.#slots[slot] as number) >= 0) slot = (slot + 1) & table.#mask;
      table.#slots[slot] = i;
      i += 1;
    }
    return table;
  }

  #slotOf(id: number): number {
    return (Math.imul(id, 0x9e3779b1) >>> 0) & this.#mask;
  }

  /** Position of a token id, or -1 when it was never trained (or was pruned). */
  indexOf(id: number): number {
    const slots = this.#slots;
    let slot = this.#slotOf(id);
    for (;;) {
      const at = slots[slot] as number;
      if (at < 0 || this.#ids[at] === id) return at;
      slot = (slot + 1) & this.#mask;
    }
  }

  spamAt(index: number): number {
    return this.#spam[index] as number;
  }

  hamAt(index: number): number {
    return this.#ham[index] as number;
  }
}

function trainingSerial(db: Db): number {
  return prepValue(db, `SELECT value FROM meta WHERE key = 'bayes_serial'`).get() as number;
}

/**
 * Spam probability of a message (0 ham, 1 spam, 0.5 no evidence) from the trained counts, looked up in the
 * in-memory table or, for a drain of a few messages with no current table, in the database (one query).
 */
export function spamProbability(lookup: TokenTable | Db, source: TokenSource, counts: TrainedCounts): number {
  if (counts.spam === 0 || counts.ham === 0) return PRIOR;
  const tokens = messageTokens(source);
  const clues = new Float64Array(tokens.length);
  let n = 0;
  const add = (spam: number, ham: number) => {
    const p = tokenProbability(spam, ham, counts);
    if (Math.abs(p - 0.5) >= MIN_DEVIATION) clues[n++] = p;
  };
  if (lookup instanceof TokenTable) {
    for (const id of tokens) {
      const at = lookup.indexOf(id);
      if (at >= 0) add(lookup.spamAt(at), lookup.hamAt(at));
    }
  } else {
    const rows = prep(lookup, 'SELECT spam, ham FROM bayes_tokens WHERE token IN (SELECT value FROM json_each(?))')
      .raw(true)
      .iterate(JSON.stringify(tokens)) as Iterable<[number, number]>;
    for (const [spam, ham] of rows) add(spam, ham);
  }
  return combine(strongest(clues.subarray(0, n)));
}

/** The MAX_CLUES clues farthest from 0.5: sorted, they sit at both ends. */
function strongest(clues: Float64Array): Float64Array {
  if (clues.length <= MAX_CLUES) return clues;
  clues.sort();
  const kept = new Float64Array(MAX_CLUES);
  let lo = 0;
  let hi = clues.length - 1;
  for (let k = 0; k < MAX_CLUES; k++) {
    const low = clues[lo] as number;
    const high = clues[hi] as number;
    if (0.5 - low >= high - 0.5) {
      kept[k] = low;
      lo += 1;
    } else {
      kept[k] = high;
      hi -= 1;
    }
  }
  return kept;
}

/** Robinson's estimate: the observed ratio (counts normalised per class), pulled towards PRIOR by few sightings. */
function tokenProbability(spam: number, ham: number, counts: TrainedCounts): number {
  const spamRatio = Math.min(spam / counts.spam, 1);
  const hamRatio = Math.min(ham / counts.ham, 1);
  if (spamRatio + hamRatio === 0) return PRIOR;
  const observed = spamRatio / (spamRatio + hamRatio);
  const n = spam + ham;
  return (PRIOR_STRENGTH * PRIOR + n * observed) / (PRIOR_STRENGTH + n);
}

/** Fisher's method over the clues, both ways (spam and ham evidence), as SpamBayes' chi2_spamprob. */
function combine(clues: Float64Array): number {
  if (clues.length === 0) return PRIOR;
  let logHam = 0;
  let logSpam = 0;
  for (const p of clues) {
    logSpam += Math.log(1 - p);
    logHam += Math.log(p);
  }
  const spamness = 1 - chiSquareQ(-2 * logSpam, 2 * clues.length);
  const hamness = 1 - chiSquareQ(-2 * logHam, 2 * clues.length);
  return (spamness - hamness + 1) / 2;
}

/** P(X >= x2) for X chi-square distributed with an even number of degrees of freedom `v`. */
function chiSquareQ(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

/** What the drain needs to file likely spam: the Junk folder, the trained counts and the token table. */
export interface DrainFilter {
  junk: FolderRef;
  counts: TrainedCounts;
  /** The token table in memory, or null to look tokens up in `db` (a drain of a few messages). */
  table: TokenTable | null;
  db: Db;
  threshold: number;
}

/**
 * Messages in one drain transaction from which loading the token table pays: loading a full table (100,000
 * rows) took about as long as looking up the tokens of 50 messages in SQLite (bench/mailstore/spam-learning.ts),
 * and most drains bring one message to a session that is already open (its table then stays current).
 */
export const TABLE_FROM_MESSAGES = 32;

/**
 * The filter for one drain transaction of `messages` messages, or null when it may not act (learning off, no \Junk
 * folder, fewer than minTrained of a class). `cached` is the table the last drain used: kept when no training
 * happened since.
 */
export function drainFilter(
  db: Db,
  settings: SpamLearningSettings,
  junk: FolderRef | null,
  cached: TokenTable | null,
  messages: number,
): DrainFilter | null {
  if (!settings.enabled || !junk) return null;
  const counts = trainedCounts(db);
  if (counts.spam < settings.minTrained || counts.ham < settings.minTrained) return null;
  const current = cached && cached.serial === trainingSerial(db) ? cached : null;
  const table = current ?? (messages >= TABLE_FROM_MESSAGES ? TokenTable.load(db) : null);
  return { junk, counts, table, db, threshold: settings.threshold };
}

export function isLikelySpam(filter: DrainFilter, source: TokenSource): boolean {
  return spamProbability(filter.table ?? filter.db, source, filter.counts) >= filter.threshold;
}

export function learningStatus(db: Db, settings: SpamLearningSettings): SpamLearningStatus {
  const counts = trainedCounts(db);
  return {
    trainedSpam: counts.spam,
    trainedHam: counts.ham,
    tokens: prepValue(db, 'SELECT count(*) FROM bayes_tokens').get() as number,
    active: settings.enabled && counts.spam >= settings.minTrained && counts.ham >= settings.minTrained,
  };
}
