/**
 * Tokens for the mailbox's spam classifier (bayes.ts): the words of a message's subject, sender and body text,
 * lowercased, each hashed to a 30-bit integer id.
 *
 * Why hashed ids rather than the words: an INTEGER PRIMARY KEY is the table's rowid, so a token row is four small
 * varints (about 10 bytes) with no second index, where a TEXT key would keep every word twice (table and index)
 * and grow with word length. The database is encrypted either way, so hashing is for size and speed, not
 * secrecy. 30 bits keep every id a small integer for V8 (no heap number per token, which cost more than the
 * lookups) and four bytes in the in-memory table; at the MAX_TOKEN_ROWS cap a few pairs of rare tokens share an
 * id, which only blends their counts.
 *
 * Bounded work per message whatever its size: the body is read up to BODY_CHARS, a message gives at most
 * TOKENS_PER_MESSAGE distinct tokens (its first ones), and words longer than MAX_TOKEN_CHARS (base64, hashes)
 * are skipped. Scripts written without spaces (Chinese, Japanese) give few, long words: a known weakness.
 */

/** Body text read per message: spam says what it wants early; 16 Ki characters is several screens. */
const BODY_CHARS = 16 * 1024;
/** Distinct tokens kept per message: a long newsletter still costs at most this many lookups. */
export const TOKENS_PER_MESSAGE = 200;
const MIN_TOKEN_CHARS = 2;
const MAX_TOKEN_CHARS = 40;
/** Long digit runs are order numbers and timestamps: unique per message, so noise. */
const LONG_NUMBER_DIGITS = 7;

/**
 * Character classes of the scanner: word characters (letters, digits, and the signs that carry meaning in spam:
 * $ € £ % !), characters that join a word only inside it (' @ . _ -: addresses, host names, contractions), and
 * separators. Filled for ASCII at load, for other UTF-16 units on first sight.
 */
const UNKNOWN = 0;
const WORD = 1;
const JOINER = 2;
const SEPARATOR = 3;
const classes = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  classes[c] = /[a-z0-9$%!]/i.test(ch) ? WORD : /['@._-]/.test(ch) ? JOINER : SEPARATOR;
}

function classOf(code: number): number {
  const known = classes[code] as number;
  if (known !== UNKNOWN) return known;
  // Surrogates are halves of letters and symbols outside the BMP: part of a word.
  const word = (code >= 0xd800 && code <= 0xdfff) || /[\p{L}\p{N}€£]/u.test(String.fromCharCode(code));
  classes[code] = word ? WORD : SEPARATOR;
  return classes[code] as number;
}

export interface TokenSource {
  subject: string;
  from: string;
  body: string;
}

/** The distinct token ids of a message, in order of first appearance, at most TOKENS_PER_MESSAGE. */
export function messageTokens(source: TokenSource): number[] {
  const ids = new TokenSet();
  addWords(ids, 's:', source.subject);
  addWords(ids, 'f:', source.from);
  for (const domain of source.from.toLowerCase().match(/@[\p{L}\p{N}.-]+/gu) ?? []) {
    if (ids.size < TOKENS_PER_MESSAGE) ids.add(tokenId(`f:${domain}`));
  }
  addWords(ids, '', source.body.length > BODY_CHARS ? source.body.slice(0, BODY_CHARS) : source.body);
  return ids.list;
}

/**
 * The distinct ids of one message in order: a list and an open-addressing table shared by every call, its slots
 * stamped with the call's generation so that it needs no clearing (a Set per message cost more than the scan).
 */
const SEEN_SLOTS = 1024; // 5 times TOKENS_PER_MESSAGE: short probes
const seenIds = new Int32Array(SEEN_SLOTS);
const seenStamps = new Int32Array(SEEN_SLOTS);
let generation = 0;

class TokenSet {
  readonly list: number[] = [];
  readonly #stamp: number;

  constructor() {
    generation = (generation + 1) | 0;
    if (generation === 0) {
      seenStamps.fill(0);
      generation = 1;
    }
    this.#stamp = generation;
  }

  get size(): number {
    return this.list.length;
  }

  add(id: number): void {
    let slot = (Math.imul(id, 0x9e3779b1) >>> 0) & (SEEN_SLOTS - 1);
    while (seenStamps[slot] === this.#stamp) {
      if (seenIds[slot] === id) return;
      slot = (slot + 1) & (SEEN_SLOTS - 1);
    }
    seenStamps[slot] = this.#stamp;
    seenIds[slot] = id;
    this.list.push(id);
  }
}

/**
 * Words of one field, found by one pass over its UTF-16 units and hashed in place (no string per word: this
 * runs for every message the drain files). A word runs from its first to its last word character; joiners
 * inside it belong to it. Subject and sender words carry a prefix, so "free" in a subject is its own token.
 */
function addWords(ids: TokenSet, prefix: string, text: string): void {
  const lower = text.toLowerCase();
  let start = -1;
  let end = -1;
  for (let i = 0; i <= lower.length; i++) {
    const kind = i < lower.length ? classOf(lower.charCodeAt(i)) : SEPARATOR;
    if (kind === WORD) {
      if (start < 0) start = i;
      end = i + 1;
    } else if (kind === SEPARATOR && start >= 0) {
      addWord(ids, prefix, lower, start, end);
      if (ids.size >= TOKENS_PER_MESSAGE) return;
      start = -1;
    }
  }
}

function addWord(ids: TokenSet, prefix: string, text: string, start: number, end: number): void {
  const length = end - start;
  if (length < MIN_TOKEN_CHARS || length > MAX_TOKEN_CHARS) return;
  if (length >= LONG_NUMBER_DIGITS && allDigits(text, start, end)) return;
  ids.add(hashRange(prefix, text, start, end));
}

function allDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** 30-bit id of a token: the high bits of its FNV-1a hash. */
export function tokenId(token: string): number {
  return hashRange('', token, 0, token.length);
}

/** tokenId(prefix + text.slice(start, end)) without building that string. */
function hashRange(prefix: string, text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < prefix.length; i++) h = Math.imul(h ^ prefix.charCodeAt(i), 0x01000193);
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 2;
}
