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
 * Classifying (drainFilter and likelySpam, at spool drain in handle.ts): naive Bayes over tokens (bayes-tokens.ts), each
 * token's spam probability estimated after Robinson (a token seen n times moves from 0.5 towards its observed
 * ratio as n grows, so one sighting is weak evidence), the clues whose probability is at least MIN_DEVIATION
 * from 0.5 (at most MAX_CLUES, the strongest) combined with Fisher's chi-square method as SpamBayes does:
 * the result is near 1 for spam, near 0 for ham, and near 0.5 when the evidence is weak or mixed, so a single
 * threshold errs towards keeping mail in INBOX. The drain acts only once settings.minTrained messages of each
 * class are trained (SpamLearningSettings).
 *
 * Size: the token table is pruned back to MAX_TOKEN_ROWS (the rarest, then the least recently trained tokens
 * go first) once it passes that by PRUNE_SLACK, checked every PRUNE_EVERY trainings; about 10 bytes a row, so
 * about 1 MB per mailbox at most. The drain looks up the tokens of a whole chunk of messages in one query and
 * keeps what it found (and did not) in memory for the open mailbox until the next training (TokenCache).
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

/**
 * What a flag change teaches: the keywords $Junk and $NotJunk (RFC 5788's registry; Thunderbird and Apple Mail
 * set one and clear the other when the user marks a message) train spam and ham when newly set. Setting both at
 * once says nothing; clearing one alone takes nothing back (a later $NotJunk, or a move out of Junk, does).
 */
export function keywordClass(before: readonly string[], after: readonly string[]): TrainingClass | null {
  const had = new Set(before.map((k) => k.toLowerCase()));
  const has = new Set(after.map((k) => k.toLowerCase()));
  const junk = has.has(JUNK_KEYWORD.toLowerCase()) && !had.has(JUNK_KEYWORD.toLowerCase());
  const notJunk = has.has(NOT_JUNK_KEYWORD.toLowerCase()) && !had.has(NOT_JUNK_KEYWORD.toLowerCase());
  if (junk === notJunk) return null;
  return junk ? 'spam' : 'ham';
}

export const JUNK_KEYWORD = '$Junk';
export const NOT_JUNK_KEYWORD = '$NotJunk';

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
 * Counts of the tokens one open mailbox has looked up, for scoring at drain: a drain chunk's messages are
 * tokenized first and every token not known here is looked up in one SQLite query (rowid lookups through
 * json_each), found or not, so the next message, chunk and drain of the session ask only for tokens they bring
 * anew. Loading the whole table instead (100,000 rows at the cap) cost about as much as scoring 1,000 messages
 * (bench/mailstore/spam-learning.ts); ordinary mail repeats its vocabulary, so a chunk asks for a few thousand.
 * Current while bayes_serial, bumped by every training, is unchanged; emptied when it passes MAX_CACHED ids
 * (about 30 bytes each, 6 MB at most per open mailbox).
 */
export class TokenCache {
  readonly serial: number;
  /** Token id to its position in #spam/#ham, ABSENT for a token the table does not hold (IdSlots, not a Map: faster). */
  readonly #at = new IdSlots();
  #spam: number[] = [];
  #ham: number[] = [];

  constructor(serial: number) {
    this.serial = serial;
  }

  get size(): number {
    return this.#at.size;
  }

  /** The ids of `lists` this cache does not know yet, each once, marked PENDING. */
  #markMissing(lists: ReadonlyArray<readonly number[] | null>): number[] {
    const missing: number[] = [];
    for (const tokens of lists) {
      if (!tokens) continue;
      for (const id of tokens) {
        if (this.#at.get(id) !== UNKNOWN) continue;
        this.#at.set(id, PENDING);
        missing.push(id);
      }
    }
    return missing;
  }

  /** Looks up, in one query, the tokens of `lists` this cache does not know yet. */
  fetch(db: Db, lists: ReadonlyArray<readonly number[] | null>): void {
    let missing = this.#markMissing(lists);
    if (missing.length === 0) return;
    if (this.#at.size > MAX_CACHED) {
      this.#clear();
      missing = this.#markMissing(lists);
    }
    const rows = prep(db, 'SELECT token, spam, ham FROM bayes_tokens WHERE token IN (SELECT value FROM json_each(?))')
      .raw(true)
      .iterate(JSON.stringify(missing)) as Iterable<[number, number, number]>;
    for (const [token, spam, ham] of rows) {
      this.#at.set(token, this.#spam.length);
      this.#spam.push(spam);
      this.#ham.push(ham);
    }
    for (const id of missing) if (this.#at.get(id) === PENDING) this.#at.set(id, ABSENT);
  }

  /** Position of a fetched token, ABSENT (-1) when the table does not hold it, UNKNOWN (-3) when never fetched. */
  indexOf(id: number): number {
    return this.#at.get(id);
  }

  spamAt(index: number): number {
    return this.#spam[index] as number;
  }

  hamAt(index: number): number {
    return this.#ham[index] as number;
  }

  #clear(): void {
    this.#at.clear();
    this.#spam = [];
    this.#ham = [];
  }
}

/**
 * A growing open-addressing map from token ids (30-bit, non-negative) to small integers: two Int32Arrays with
 * linear probing, at most 3/4 full. A Map did the same job at several times the cost per lookup, which the
 * drain pays twice for each of up to 200 tokens of every message.
 */
class IdSlots {
  #keys = new Int32Array(1024).fill(EMPTY_SLOT);
  #values = new Int32Array(1024);
  #mask = 1023;
  size = 0;

  get(id: number): number {
    const slot = this.#slotOf(id);
    return this.#keys[slot] === id ? (this.#values[slot] as number) : UNKNOWN;
  }

  set(id: number, value: number): void {
    const slot = this.#slotOf(id);
    this.#values[slot] = value;
    if (this.#keys[slot] === id) return;
    this.#keys[slot] = id;
    this.size += 1;
    if (this.size * 4 > this.#keys.length * 3) this.#grow();
  }

  clear(): void {
    this.#keys = new Int32Array(1024).fill(EMPTY_SLOT);
    this.#values = new Int32Array(1024);
    this.#mask = 1023;
    this.size = 0;
  }

  #slotOf(id: number): number {
    const keys = this.#keys;
    let slot = (Math.imul(id, 0x9e3779b1) >>> 0) & this.#mask;
    for (;;) {
      const key = keys[slot] as number;
      if (key === id || key === EMPTY_SLOT) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    this.#keys = new Int32Array(keys.length * 2).fill(EMPTY_SLOT);
    this.#values = new Int32Array(keys.length * 2);
    this.#mask = keys.length * 2 - 1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      if (key === EMPTY_SLOT) continue;
      const slot = this.#slotOf(key);
      this.#keys[slot] = key;
      this.#values[slot] = values[i] as number;
    }
  }
}

const EMPTY_SLOT = -1;
const PENDING = -2;
const UNKNOWN = -3;
const ABSENT = -1;
/** Token ids a TokenCache holds at most (found and absent ones): the table's cap and as many absent. */
const MAX_CACHED = 2 * MAX_TOKEN_ROWS;

function trainingSerial(db: Db): number {
  return prepValue(db, `SELECT value FROM meta WHERE key = 'bayes_serial'`).get() as number;
}

/** Spam probability of a message (0 ham, 1 spam, 0.5 no evidence) from the trained counts, looked up in `db`. */
export function spamProbability(db: Db, source: TokenSource, counts: TrainedCounts): number {
  const tokens = messageTokens(source);
  const cache = new TokenCache(trainingSerial(db));
  cache.fetch(db, [tokens]);
  return probabilityOf(tokens, cache, counts);
}

/** Spam probability of a message's tokens, all fetched into `cache`. */
function probabilityOf(tokens: readonly number[], cache: TokenCache, counts: TrainedCounts): number {
  if (counts.spam === 0 || counts.ham === 0) return PRIOR;
  const clues = new Float64Array(tokens.length);
  let n = 0;
  for (const id of tokens) {
    const at = cache.indexOf(id);
    if (at < 0) continue;
    const p = tokenProbability(cache.spamAt(at), cache.hamAt(at), counts);
    if (Math.abs(p - 0.5) >= MIN_DEVIATION) clues[n++] = p;
  }
  return combine(strongest(clues.subarray(0, n)));
}

/**
 * The MAX_CLUES clues farthest from 0.5, in no particular order: a quickselect on the distance from 0.5 moves
 * them to the front (a full sort of every message's clues cost as much as the lookups).
 */
function strongest(clues: Float64Array): Float64Array {
  if (clues.length <= MAX_CLUES) return clues;
  const far = (i: number) => Math.abs((clues[i] as number) - 0.5);
  let lo = 0;
  let hi = clues.length - 1;
  while (lo < hi) {
    const pivot = far((lo + hi) >>> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (far(i) > pivot) i += 1;
      while (far(j) < pivot) j -= 1;
      if (i <= j) {
        const t = clues[i] as number;
        clues[i] = clues[j] as number;
        clues[j] = t;
        i += 1;
        j -= 1;
      }
    }
    if (MAX_CLUES - 1 <= j) hi = j;
    else if (MAX_CLUES - 1 >= i) lo = i;
    else break;
  }
  return clues.subarray(0, MAX_CLUES);
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

/** What the drain needs to file likely spam: the Junk folder, the trained counts and the token cache. */
export interface DrainFilter {
  junk: FolderRef;
  counts: TrainedCounts;
  cache: TokenCache;
  db: Db;
  threshold: number;
}

/**
 * The filter for one drain transaction, or null when it may not act (learning off, no \Junk folder, fewer than
 * minTrained of a class). `cached` is the cache the session's last drain used: kept when no training happened since.
 */
export function drainFilter(
  db: Db,
  settings: SpamLearningSettings,
  junk: FolderRef | null,
  cached: TokenCache | null,
): DrainFilter | null {
  if (!settings.enabled || !junk) return null;
  const counts = trainedCounts(db);
  if (counts.spam < settings.minTrained || counts.ham < settings.minTrained) return null;
  const serial = trainingSerial(db);
  const cache = cached && cached.serial === serial ? cached : new TokenCache(serial);
  return { junk, counts, cache, db, threshold: settings.threshold };
}

/**
 * Which of a drain chunk's messages are likely spam; null for a message not to be scored. Every message is
 * tokenized first, so that the tokens the cache lacks are looked up in one query for the chunk.
 */
export function likelySpam(filter: DrainFilter, sources: ReadonlyArray<TokenSource | null>): boolean[] {
  const lists = sources.map((source) => (source ? messageTokens(source) : null));
  filter.cache.fetch(filter.db, lists);
  return lists.map(
    (tokens) => tokens !== null && probabilityOf(tokens, filter.cache, filter.counts) >= filter.threshold,
  );
}

export function learningStatus(db: Db, settings: SpamLearningSettings): SpamLearningStatus {
  const counts = trainedCounts(db);
  return {
    trainedSpam: counts.spam,
    trainedHam: counts.ham,
    tokens: prepValue(db, 'SELECT count(*) FROM bayes_tokens').get() as number,
    maxTokens: MAX_TOKEN_ROWS,
    minTrained: settings.minTrained,
    threshold: settings.threshold,
    enabled: settings.enabled,
    active: settings.enabled && counts.spam >= settings.minTrained && counts.ham >= settings.minTrained,
  };
}

/**
 * Forgets everything learnt: every token and trained message, the counts back to 0 (so the drain stops filing
 * until minTrained of each class are trained again). The serial moves on, so no session scores with a cache of
 * the old counts. One transaction.
 */
export function forgetLearning(db: Db): void {
  db.transaction(() => {
    prep(db, 'DELETE FROM bayes_tokens').run();
    prep(db, 'DELETE FROM bayes_trained').run();
    prep(db, `UPDATE meta SET value = 0 WHERE key IN ('bayes_spam', 'bayes_ham')`).run();
    prep(db, `UPDATE meta SET value = value + 1 WHERE key = 'bayes_serial'`).run();
  }).immediate();
}
