/**
 * FETCH data items (RFC 9051 §6.4.5, §7.5.2; RFC 3501 §6.4.5, §7.4.2; MODSEQ RFC 7162 §3.1.4): parsing a
 * requested item into a FetchItem, and writing its value. Metadata comes from the folder listing, ENVELOPE /
 * BODY / BODYSTRUCTURE from the stored index (never reparsed), body sections from the store's getSection (byte
 * ranges of the stored message). Extensions (BINARY, PREVIEW, EMAILID, SAVEDATE ...) add a parser with
 * `registerFetchItem`.
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { MailboxSession, MessageSummary, StoredMessage } from '@mailyard/mailstore';
import { internalDate, listValue } from './protocol/encode.js';

export interface FetchSource {
  mailbox: MailboxSession;
  path: string;
  summary: MessageSummary;
  /** The stored index, read once per message when an item needs it. */
  stored(): StoredMessage | null;
  /** The message's flags as this session reports them (\Recent added for IMAP4rev1). */
  flags: string[];
}

export interface FetchItem {
  /** The item's name in the response, e.g. `BODY[HEADER]<0>`. */
  name: string;
  /** Needs the stored index (ENVELOPE, BODYSTRUCTURE ...). */
  needsStored?: boolean;
  /** Fetching it sets \Seen (RFC 9051 §6.4.5: BODY[...] without .PEEK, RFC822, RFC822.TEXT). */
  setsSeen?: boolean;
  /** Whether it is one of the listing fields (UID, FLAGS, MODSEQ, RFC822.SIZE, INTERNALDATE). */
  metadata?: boolean;
  /** The value as wire text (binary string) or parts with literal bytes. */
  value(source: FetchSource): string | Array<string | Buffer>;
}

type ItemParser = (name: string) => FetchItem | null;

const parsers: ItemParser[] = [];

/** Adds a parser for FETCH items; the first parser that returns an item wins. */
export function registerFetchItem(parser: ItemParser): void {
  parsers.push(parser);
}

function literal(bytes: Buffer): Array<string | Buffer> {
  return [`{${bytes.length}}\r\n`, bytes];
}

const SIMPLE: Record<string, FetchItem> = {
  UID: { name: 'UID', metadata: true, value: (s) => String(s.summary.uid) },
  FLAGS: { name: 'FLAGS', metadata: true, value: (s) => `(${s.flags.join(' ')})` },
  MODSEQ: { name: 'MODSEQ', metadata: true, value: (s) => `(${s.summary.modseq})` },
  'RFC822.SIZE': { name: 'RFC822.SIZE', metadata: true, value: (s) => String(s.summary.size) },
  INTERNALDATE: { name: 'INTERNALDATE', metadata: true, value: (s) => internalDate(s.summary.internalDate) },
  ENVELOPE: { name: 'ENVELOPE', needsStored: true, value: (s) => listValue(s.stored()?.envelope ?? null) },
  BODYSTRUCTURE: {
    name: 'BODYSTRUCTURE',
    needsStored: true,
    value: (s) => listValue(s.stored()?.bodystructure ?? null),
  },
  BODY: { name: 'BODY', needsStored: true, value: (s) => listValue(s.stored()?.body ?? null) },
  RFC822: {
    name: 'RFC822',
    setsSeen: true,
    value: (s) => literal(s.mailbox.getRaw(s.path, s.summary.uid) ?? Buffer.alloc(0)),
  },
  'RFC822.HEADER': { name: 'RFC822.HEADER', value: (s) => literal(section(s, 'HEADER')) },
  'RFC822.TEXT': { name: 'RFC822.TEXT', setsSeen: true, value: (s) => literal(section(s, 'TEXT')) },
};

function section(source: FetchSource, name: string, partial?: { start: number; length?: number }): Buffer {
  if (name === '' && !partial) return source.mailbox.getRaw(source.path, source.summary.uid) ?? Buffer.alloc(0);
  return source.mailbox.getSection(source.path, source.summary.uid, name, partial) ?? Buffer.alloc(0);
}

const BODY_SECTION = /^(BODY|BODY\.PEEK)\[([^\]]*)\](?:<(\d+)\.(\d+)>)?$/i;
const SECTION =
  /^(?:((?:[1-9]\d*\.)*[1-9]\d*)(?:\.(HEADER|HEADER\.FIELDS|HEADER\.FIELDS\.NOT|TEXT|MIME))?|(HEADER|HEADER\.FIELDS|HEADER\.FIELDS\.NOT|TEXT))?(?: \((.*)\))?$/i;
/** RFC 9051 §9 header-fld-name: astring; we accept atoms and quoted names. */
const FIELD = /^[!-9;-~]+$/;

/** RFC 9051 §9 section-spec, normalised to the store's section names: '', '1.2', 'HEADER.FIELDS (FROM TO)'. */
export function parseSection(text: string): string {
  const m = SECTION.exec(text);
  if (!m) throw new InputSyntaxError(`Invalid section ${text}`);
  const [, path, partKind, topKind, fieldText] = m;
  const type = (partKind ?? topKind)?.toUpperCase();
  if (text && !path && !type) throw new InputSyntaxError(`Invalid section ${text}`);
  if (type === 'MIME' && !path) throw new InputSyntaxError('MIME needs a part number');
  const wantsFields = type === 'HEADER.FIELDS' || type === 'HEADER.FIELDS.NOT';
  if (wantsFields !== (fieldText !== undefined)) throw new InputSyntaxError(`Invalid section ${text}`);
  const base = [path, type].filter(Boolean).join('.');
  if (!wantsFields) return base;
  const fields = (fieldText ?? '')
    .split(' ')
    .filter(Boolean)
    .map((f) => f.replace(/^"(.*)"$/, '$1').toUpperCase());
  if (fields.length === 0 || !fields.every((f) => FIELD.test(f)))
    throw new InputSyntaxError('Invalid header field list');
  return `${base} (${fields.join(' ')})`;
}

function bodySection(name: string): FetchItem | null {
  const m = BODY_SECTION.exec(name);
  if (!m) return null;
  const peek = (m[1] ?? '').toUpperCase() === 'BODY.PEEK';
  const spec = parseSection(m[2] ?? '');
  const start = m[3] === undefined ? undefined : Number(m[3]);
  const length = m[4] === undefined ? undefined : Number(m[4]);
  const partial = start === undefined ? undefined : { start, ...(length !== undefined ? { length } : {}) };
  // RFC 9051 §7.5.2: the reply names the section as asked and the partial by its origin only.
  const responseName = `BODY[${spec}]${start === undefined ? '' : `<${start}>`}`;
  return {
    name: responseName,
    setsSeen: !peek,
    value: (s) => literal(section(s, spec, partial)),
  };
}

registerFetchItem((name) => SIMPLE[name.toUpperCase()] ?? null);
registerFetchItem(bodySection);

/** One requested item; unknown items are BAD. */
export function parseFetchItem(name: string): FetchItem {
  for (const parser of parsers) {
    const item = parser(name);
    if (item) return item;
  }
  throw new InputSyntaxError(`Unknown FETCH item ${name}`);
}

/** RFC 9051 §6.4.5 macros. */
export const FETCH_MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};
