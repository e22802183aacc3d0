/**
 * FETCH data items (RFC 3501 §6.4.5, §7.4.2; RFC 7162 §3.1.4 MODSEQ) computed from the store: metadata from the
 * folder listing, ENVELOPE/BODY/BODYSTRUCTURE from the stored index (no reparsing), body sections from the
 * store's getSection (byte ranges of the stored message).
 */
import type { MailboxSession, MessageSummary, StoredMessage } from '@mailyard/mailstore';
import type { FetchQueryItem, ImapResponse } from 'wildduck/imap-core';
import { imapTools } from './imap-core.js';

export function needsStoredMessage(query: FetchQueryItem[]): boolean {
  return query.some(
    (item) => ['envelope', 'bodystructure'].includes(item.item) || (item.item === 'body' && !item.type),
  );
}

/** The section text of a BODY[...] item as the store names it: '', 'HEADER', '1.2', '3.HEADER.FIELDS (A B)'. */
export function sectionName(item: FetchQueryItem): string {
  const type = item.type === 'content' || !item.type ? '' : item.type.toUpperCase();
  const base = [item.path, type].filter((part) => part).join('.');
  const headers = item.headers?.length ? ` (${item.headers.map((h) => h.toUpperCase()).join(' ')})` : '';
  return base + headers;
}

/** Strings as imap-core writes them: UTF-8 bytes in a 'binary' string (8-bit header text passes unchanged). */
function binaryStrings(value: unknown): unknown {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('binary');
  if (Array.isArray(value)) return value.map(binaryStrings);
  return value;
}

export interface FetchSource {
  mailbox: MailboxSession;
  path: string;
  summary: MessageSummary;
  stored: StoredMessage | null;
}

function section(source: FetchSource, name: string, item: FetchQueryItem): Buffer {
  if (name === '' && !item.partial) return source.mailbox.getRaw(source.path, source.summary.uid) ?? Buffer.alloc(0);
  const partial = item.partial
    ? { start: item.partial.startFrom, ...(item.partial.maxLength ? { length: item.partial.maxLength } : {}) }
    : undefined;
  return source.mailbox.getSection(source.path, source.summary.uid, name, partial) ?? Buffer.alloc(0);
}

export function itemValue(source: FetchSource, item: FetchQueryItem): unknown {
  const { summary, stored } = source;
  switch (item.item) {
    case 'uid':
      return summary.uid;
    case 'flags':
      return summary.flags;
    case 'modseq':
      return summary.modseq;
    case 'internaldate':
      return summary.internalDate;
    case 'rfc822.size':
      return summary.size;
    case 'envelope':
      return binaryStrings(stored?.envelope ?? null);
    case 'bodystructure':
      return binaryStrings(stored?.bodystructure ?? null);
    case 'rfc822':
      return section(source, '', item);
    case 'rfc822.header':
      return section(source, 'HEADER', item);
    case 'rfc822.text':
      return section(source, 'TEXT', item);
    case 'body':
      return item.type ? section(source, sectionName(item), item) : binaryStrings(stored?.body ?? null);
    default:
      return null;
  }
}

/** RFC 3501 §7.4.2: a partial fetch is answered as BODY[...]<origin>, without the length. */
export function responseItems(query: FetchQueryItem[]): FetchQueryItem[] {
  return query.map((item) =>
    item.original.partial
      ? { ...item, original: { ...item.original, partial: item.original.partial.slice(0, 1) } }
      : item,
  );
}

type Attribute = { type: string; value: unknown } | unknown[] | string;

/** One item value in imap-core's response notation (as its formatResponse builds it). */
function attribute(item: FetchQueryItem, value: unknown): Attribute {
  if (item.item === 'flags' || item.item === 'modseq') {
    return ([] as unknown[]).concat(value ?? []).map((v) => ({ type: 'ATOM', value: String(v ?? '') }));
  }
  if (value instanceof Date) return { type: 'ATOM', value: imapTools.formatInternalDate(value) };
  if (Array.isArray(value)) return value;
  if (item.isLiteral) return { type: 'LITERAL', value };
  if (value === '') return '';
  return { type: 'ATOM', value: String(value) };
}

/**
 * `* seq FETCH (...)` for one message. imap-core's formatResponse finds the sequence number with
 * uidList.indexOf (linear per message, quadratic for FETCH 1:*), so FETCH builds its responses here with the
 * sequence number looked up once per command.
 */
export function fetchResponse(seq: number, query: FetchQueryItem[], values: unknown[]): ImapResponse {
  const items: unknown[] = [];
  query.forEach((item, i) => {
    items.push(item.original, attribute(item, values[i]));
  });
  return { tag: '*', command: String(seq), attributes: [{ type: 'atom', value: 'FETCH' }, items] };
}

/** uid -> sequence number of the connection's current view. */
export function sequenceNumbers(uidList: number[]): Map<number, number> {
  return new Map(uidList.map((uid, i) => [uid, i + 1]));
}

/** Sequence-number lookup for `expected` messages: a scan for a few, a map for many. */
export function sequenceLookup(uidList: number[], expected: number): (uid: number) => number | undefined {
  if (expected > 16) {
    const positions = sequenceNumbers(uidList);
    return (uid) => positions.get(uid);
  }
  return (uid) => {
    const index = uidList.indexOf(uid);
    return index < 0 ? undefined : index + 1;
  };
}

const METADATA: Record<string, (m: MessageSummary) => string> = {
  uid: (m) => `UID ${m.uid}`,
  flags: (m) => `FLAGS (${m.flags.join(' ')})`,
  modseq: (m) => `MODSEQ (${m.modseq})`,
  'rfc822.size': (m) => `RFC822.SIZE ${m.size}`,
  internaldate: (m) => `INTERNALDATE "${imapTools.formatInternalDate(m.internalDate)}"`,
};

/** Whether every item comes from the folder listing (UID, FLAGS, MODSEQ, RFC822.SIZE, INTERNALDATE). */
export function isMetadataOnly(query: FetchQueryItem[]): boolean {
  return query.every((item) => item.item in METADATA);
}

/**
 * The FETCH line of a metadata-only query, written directly: imap-core's generic compiler costs about 20 µs a
 * line, which is most of FETCH 1:* (UID FLAGS) on a large folder. Flags are atoms (RFC 3501 §9 flag-keyword).
 */
export function metadataLine(seq: number, query: FetchQueryItem[], summary: MessageSummary): string {
  return `* ${seq} FETCH (${query.map((item) => METADATA[item.item]?.(summary) ?? '').join(' ')})`;
}
