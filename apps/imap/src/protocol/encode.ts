/**
 * Output encoding (RFC 9051 §4.3, §9): strings as quoted strings when they can be (no CR, LF, NUL, quote-free
 * escaping of `"` and `\`, short), else as literals; NIL for null; nested arrays (ENVELOPE, BODYSTRUCTURE) as
 * parenthesised lists. Text is produced as "binary" strings (one char per byte, UTF-8 bytes for non-ASCII), so a
 * whole response line becomes bytes with Buffer.from(line, 'latin1').
 */
import { IMAP_LIMITS } from './limits.js';

const NEEDS_LITERAL = /[\r\n\0]/;

/** A JavaScript (UTF-16) string as its UTF-8 bytes, one char per byte. */
export function binary(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: checks for 7-bit text
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** An IMAP string for `value` (a binary string or bytes). */
export function imapString(value: string | Buffer): string {
  const text = typeof value === 'string' ? value : value.toString('latin1');
  if (text.length > IMAP_LIMITS.maxQuotedBytes || NEEDS_LITERAL.test(text)) return `{${text.length}}\r\n${text}`;
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A string or NIL, from a JavaScript string (UTF-8 encoded for the wire). */
export function nstring(value: string | null | undefined): string {
  return value === null || value === undefined ? 'NIL' : imapString(binary(value));
}

/**
 * A nested value as an IMAP list item: arrays are lists; inside a list whose items are all lists (address
 * lists, multipart children) the items follow each other without a space, as RFC 9051 §9 `1*address` and
 * `1*body` require; strings are nstring, numbers are numbers.
 */
export function listValue(value: unknown): string {
  if (value === null || value === undefined) return 'NIL';
  if (typeof value === 'number') return String(Math.max(0, Math.round(value)));
  if (typeof value === 'string') return imapString(binary(value));
  if (Buffer.isBuffer(value)) return imapString(value);
  if (!Array.isArray(value)) return 'NIL';
  let out = '(';
  let previousList = false;
  value.forEach((item, i) => {
    const isList = Array.isArray(item);
    if (i > 0 && !(isList && previousList)) out += ' ';
    out += listValue(item);
    previousList = isList;
  });
  return `${out})`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** RFC 9051 §9 date-time, in UTC: `"02-Nov-2026 10:00:00 +0000"`. */
export function internalDate(date: Date): string {
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const month = MONTHS[date.getUTCMonth()];
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `"${day}-${month}-${date.getUTCFullYear()} ${time} +0000"`;
}

/** RFC 9051 §9 sequence-set from sorted numbers: `1:3,7,9:10`. */
export function packSet(sorted: number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i] as number;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}

/** A mailbox name for LIST/STATUS replies: always quoted (or a literal), as clients expect. */
export function mailboxName(name: string): string {
  return imapString(name);
}
