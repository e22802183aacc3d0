/**
 * FETCH data items (RFC 3501 §6.4.5, §7.4.2; RFC 7162 §3.1.4 MODSEQ) computed from the store: metadata from the
 * folder listing, ENVELOPE/BODY/BODYSTRUCTURE from the stored index (no reparsing), body sections from the
 * store's getSection (byte ranges of the stored message).
 */
import type { MailboxSession, MessageSummary, StoredMessage } from '@mailyard/mailstore';
import type { FetchQueryItem } from 'wildduck/imap-core';

/** Items answered from the folder listing alone. */
const METADATA_ITEMS = new Set(['uid', 'flags', 'modseq', 'internaldate', 'rfc822.size']);

export function needsStoredMessage(query: FetchQueryItem[]): boolean {
  return query.some(
    (item) => ['envelope', 'bodystructure'].includes(item.item) || (item.item === 'body' && !item.type),
  );
}

export function isMetadataOnly(query: FetchQueryItem[]): boolean {
  return query.every((item) => METADATA_ITEMS.has(item.item));
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
