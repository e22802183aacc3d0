/**
 * Mailbox names on the wire (RFC 3501 §5.1.3 modified UTF-7; RFC 6855 §3 UTF-8 after ENABLE UTF8=ACCEPT) and in
 * the store (plain Unicode strings, `/` as the hierarchy delimiter, INBOX in upper case). A name that is not
 * valid modified UTF-7, or carries 8-bit bytes without UTF8=ACCEPT, is refused with BAD (issue 12 item 12)
 * instead of being stored mangled.
 */
import { InputSyntaxError } from '@mailyard/errors';

const BASE64 = /^[A-Za-z0-9+,]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function decodeShift(encoded: string): string {
  if (!BASE64.test(encoded) || encoded.length === 0) throw new InputSyntaxError('Invalid modified UTF-7 mailbox name');
  const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64');
  if (bytes.length % 2 !== 0 || bytes.length === 0) throw new InputSyntaxError('Invalid modified UTF-7 mailbox name');
  let text = '';
  for (let i = 0; i < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16BE(i));
  // RFC 3501 §5.1.3: printable US-ASCII must not be encoded; a lone surrogate is not text.
  if (/[\x20-\x7e]/.test(text) || LONE_SURROGATE.test(text)) {
    throw new InputSyntaxError('Invalid modified UTF-7 mailbox name');
  }
  return text;
}

/** Modified UTF-7 -> Unicode; throws InputSyntaxError on anything RFC 3501 §5.1.3 does not allow. */
export function decodeModifiedUtf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const ch = name[i] as string;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) throw new InputSyntaxError('Mailbox name is not 7-bit (ENABLE UTF8=ACCEPT first)');
    if (ch !== '&') {
      out += ch;
      i++;
      continue;
    }
    const end = name.indexOf('-', i + 1);
    if (end < 0) throw new InputSyntaxError('Invalid modified UTF-7 mailbox name');
    out += end === i + 1 ? '&' : decodeShift(name.slice(i + 1, end));
    i = end + 1;
  }
  return out;
}

/** Unicode -> modified UTF-7. */
export function encodeModifiedUtf7(name: string): string {
  return name.replace(/&|[^\x20-\x7e]+/g, (run) => {
    if (run === '&') return '&-';
    const bytes = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) bytes.writeUInt16BE(run.charCodeAt(i), i * 2);
    return `&${bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
  });
}

/** INBOX is case-insensitive (RFC 3501 §5.1); so is every path below it. */
export function normalizePath(path: string): string {
  if (/^inbox$/i.test(path)) return 'INBOX';
  if (/^inbox\//i.test(path)) return `INBOX${path.slice(5)}`;
  return path;
}

/** A client's mailbox name (raw bytes) as a store path. */
export function pathFromWire(raw: Buffer, utf8: boolean): string {
  const hasEightBit = raw.some((byte) => byte > 0x7f);
  if (hasEightBit && !utf8) throw new InputSyntaxError('Mailbox name is not 7-bit (ENABLE UTF8=ACCEPT first)');
  if (hasEightBit) {
    const text = raw.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(raw)) throw new InputSyntaxError('Mailbox name is not valid UTF-8');
    return normalizePath(text);
  }
  const text = raw.toString('latin1');
  // RFC 6855 §3: after UTF8=ACCEPT, names are UTF-8; "&" is then an ordinary character only if not valid mUTF-7.
  return normalizePath(utf8 ? tryDecode(text) : decodeModifiedUtf7(text));
}

function tryDecode(text: string): string {
  try {
    return decodeModifiedUtf7(text);
  } catch {
    return text;
  }
}

/** A store path as the client sees it (binary string for the wire). */
export function pathToWire(path: string, utf8: boolean): string {
  return utf8 ? Buffer.from(path, 'utf8').toString('latin1') : encodeModifiedUtf7(path);
}
