/**
 * Tokens for the mailbox's spam classifier (bayes.ts): the words of a message's subject, sender and body text,
 * lowercased, each hashed to a 52-bit integer id.
 *
 * Why hashed ids rather than the words: an INTEGER PRIMARY KEY is the table's rowid, so a token row is a few
 * varints (about 15 bytes) with no second index, where a TEXT key would keep every word twice (table and index)
 * and grow with word length. The database is encrypted either way, so hashing is for size and speed, not
 * secrecy. Two 32-bit multiplicative hashes make the 52 bits (a JavaScript number holds them exactly); with the
 * table capped at MAX_TOKEN_ROWS, a collision between two live tokens is about one in a million.
 *
 * Bounded work per message whatever its size: the body is read up to BODY_CHARS, a message gives at most
 * TOKENS_PER_MESSAGE distinct tokens (its first ones), and words longer than MAX_TOKEN_CHARS (base64, hashes)
 * are skipped. Scripts written without spaces (Chinese, Japanese) give few, long words: a known weakness.
 */

/** Body text read per message: spam says what it wants early; 16 Ki characters is several screens. */
const BODY_CHARS = 16 * 1024;
/** Distinct tokens kept per message: a long newsletter still costs at most this many lookups. */
export const TOKENS_PER_MESSAGE = 400;
const MIN_TOKEN_CHARS = 2;
const MAX_TOKEN_CHARS = 40;
/** Word characters, plus the punctuation that carries meaning inside a word (prices, percentages, addresses). */
const SEPARATOR = /[^\p{L}\p{N}$€£%!'@._-]+/u;
const EDGES = /^['@._-]+|['@._-]+$/g;
/** Long digit runs are order numbers and timestamps: unique per message, so noise. */
const LONG_NUMBER = /^\d{7,}$/;

export interface TokenSource {
  subject: string;
  from: string;
  body: string;
}

/** The distinct token ids of a message, in order of first appearance, at most TOKENS_PER_MESSAGE. */
export function messageTokens(source: TokenSource): number[] {
  const ids = new Set<number>();
  addWords(ids, 's:', source.subject);
  addWords(ids, 'f:', source.from);
  for (const domain of source.from.toLowerCase().match(/@[\p{L}\p{N}.-]+/gu) ?? []) addToken(ids, `f:${domain}`);
  addWords(ids, '', source.body.slice(0, BODY_CHARS));
  return [...ids];
}

/** Words of one field; subject and sender words carry a prefix, so "free" in a subject is its own token. */
function addWords(ids: Set<number>, prefix: string, text: string): void {
  for (const raw of text.toLowerCase().split(SEPARATOR)) {
    if (ids.size >= TOKENS_PER_MESSAGE) return;
    const word = raw.replace(EDGES, '');
    if (word.length < MIN_TOKEN_CHARS || word.length > MAX_TOKEN_CHARS || LONG_NUMBER.test(word)) continue;
    addToken(ids, prefix + word);
  }
}

function addToken(ids: Set<number>, token: string): void {
  if (ids.size < TOKENS_PER_MESSAGE) ids.add(tokenId(token));
}

/** 52-bit id of a token: FNV-1a (32 bits) beside 20 bits of a second multiplicative hash. */
export function tokenId(token: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (b >>> 12) * 0x1_0000_0000 + (a >>> 0);
}
