/**
 * FETCH items of extensions, registered with fetch-items.ts: BINARY[section]<partial>, BINARY.PEEK[...] and
 * BINARY.SIZE[section] (RFC 3516 §4.2: the part's content with its transfer encoding undone; literal8 `~{n}` when
 * it holds NUL; an encoding the server cannot decode is NO [UNKNOWN-CTE], §4.3), PREVIEW and PREVIEW (LAZY)
 * (RFC 8970 §3: at most 256 characters of the message's text, kept by the store after the first computation),
 * EMAILID and THREADID
 * (RFC 8474 §5) and SAVEDATE (RFC 8514 §3).
 */
import { InputSyntaxError, UserError } from '@mailyard/errors';
import type { BinarySectionResult } from '@mailyard/mailstore';
import { type FetchItem, type FetchSource, parseSection, registerFetchItem } from './fetch-items.js';
import { imapString, internalDate } from './protocol/encode.js';

const BINARY_ITEM = /^(BINARY|BINARY\.PEEK|BINARY\.SIZE)\[([^\]]*)\](?:<(\d+)\.(\d+)>)?$/i;

function decoded(source: FetchSource, section: string, partial?: { start: number; length: number }): Buffer {
  const result: BinarySectionResult | null = source.mailbox.getBinarySection(
    source.path,
    source.summary.uid,
    section,
    partial,
  );
  if (result?.kind === 'unknown-cte') {
    throw new UserError(`Cannot decode the ${result.encoding} transfer encoding`, { code: 'UNKNOWN-CTE' });
  }
  return result?.data ?? Buffer.alloc(0);
}

/** RFC 3516 §4.2: literal8 when the content holds NUL, an ordinary literal otherwise. */
function literalOf(bytes: Buffer): Array<string | Buffer> {
  return [`${bytes.includes(0) ? '~' : ''}{${bytes.length}}\r\n`, bytes];
}

function binaryItem(name: string): FetchItem | null {
  const m = BINARY_ITEM.exec(name);
  if (!m) return null;
  const kind = (m[1] ?? '').toUpperCase();
  // Beyond RFC 3516's part numbers, HEADER/TEXT/MIME forms are accepted as Dovecot does; only part bodies decode.
  const section = parseSection(m[2] ?? '');
  if (kind === 'BINARY.SIZE') {
    if (m[3] !== undefined) throw new InputSyntaxError('BINARY.SIZE takes no partial range');
    return { name: `BINARY.SIZE[${section}]`, value: (s) => String(decoded(s, section).length) };
  }
  const partial = m[3] === undefined ? undefined : { start: Number(m[3]), length: Number(m[4]) };
  return {
    name: `BINARY[${section}]${partial ? `<${partial.start}>` : ''}`,
    setsSeen: kind === 'BINARY',
    value: (s) => literalOf(decoded(s, section, partial)),
  };
}

/**
 * The preview as an IMAP string: quoted when it is ASCII; otherwise a literal of its UTF-8 bytes, since a quoted
 * string may carry 8-bit text only after UTF8=ACCEPT (RFC 6855 §3) and RFC 8970 text is UTF-8.
 */
function previewString(text: string): string | Array<string | Buffer> {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: tests for 7-bit text
  if (/^[\x00-\x7f]*$/.test(text)) return imapString(text);
  const bytes = Buffer.from(text, 'utf8');
  return [`{${bytes.length}}\r\n`, bytes];
}

const SIMPLE: Record<string, FetchItem> = {
  PREVIEW: {
    name: 'PREVIEW',
    value: (s) => previewString(s.mailbox.previews(s.path, [s.summary.uid]).get(s.summary.uid) ?? ''),
  },
  EMAILID: {
    name: 'EMAILID',
    value: (s) => {
      const ids = s.mailbox.messageAttributes(s.path, [s.summary.uid])[0];
      return ids ? `(${ids.emailId})` : 'NIL';
    },
  },
  THREADID: {
    name: 'THREADID',
    value: (s) => {
      const ids = s.mailbox.messageAttributes(s.path, [s.summary.uid])[0];
      return ids ? `(${ids.threadId})` : 'NIL';
    },
  },
  SAVEDATE: {
    name: 'SAVEDATE',
    value: (s) => {
      const ids = s.mailbox.messageAttributes(s.path, [s.summary.uid])[0];
      return ids ? internalDate(ids.savedDate) : 'NIL';
    },
  },
};

/**
 * RFC 8970 §3.1 `PREVIEW (LAZY)`: the server may answer NIL rather than compute a preview now. Computing one costs
 * a few milliseconds and is kept, so LAZY gets the same answer as PREVIEW.
 */
function previewWithModifiers(name: string): FetchItem | null {
  const m = /^PREVIEW \(([^)]*)\)$/i.exec(name);
  if (!m) return null;
  const modifiers = (m[1] ?? '').split(' ').filter(Boolean);
  if (modifiers.length === 0 || modifiers.some((mod) => mod.toUpperCase() !== 'LAZY')) {
    throw new InputSyntaxError('Unknown PREVIEW modifier');
  }
  return SIMPLE.PREVIEW ?? null;
}

registerFetchItem(binaryItem);
registerFetchItem((name) => SIMPLE[name.toUpperCase()] ?? null);
registerFetchItem(previewWithModifiers);
