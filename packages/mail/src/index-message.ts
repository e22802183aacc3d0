// indexMessage: the single parse behind every ingest path. One pass of the MIME splitter, then everything FETCH,
// SEARCH, SORT/THREAD and attachment de-duplication need is derived from that tree and the raw bytes.

import { createHash } from 'node:crypto';
import { addressListText } from './address-list.js';
import { baseSubject } from './base-subject.js';
import { bodyText } from './body-text.js';
import { buildBodystructure } from './bodystructure.js';
import { decodeHeaderWords } from './charset-text.js';
import { decodedParam, parseStructured } from './content-params.js';
import { addressField, buildEnvelope } from './envelope.js';
import { firstField, type HeaderField, headerText } from './header-block.js';
import { firstMessageId, messageIdList, parseDate } from './message-ids.js';
import { type PartNode, parseMimeTree, toMimePart } from './mime-tree.js';
import type { IndexedAttachment, IndexedMessage } from './types.js';

/** Leaf bodies above this size are stored once per mailbox by hash. */
export const ATTACHMENT_MIN_BYTES = 4096;

function fieldText(fields: HeaderField[], name: string): string | null {
  const field = firstField(fields, name);
  return field ? headerText(field.raw) : null;
}

function decodedSubject(fields: HeaderField[]): string {
  return decodeHeaderWords(fieldText(fields, 'subject') ?? '').trim();
}

/** Decoded subject and addresses of a message header, one per line, for full-text search. */
function searchableHeader(fields: HeaderField[]): string {
  const lines = [decodedSubject(fields)];
  for (const name of ['from', 'to', 'cc', 'bcc']) lines.push(addressListText(addressField(fields, name)));
  return lines.filter(Boolean).join('\n');
}

function dispositionOf(node: PartNode): string {
  const field = firstField(node.fields, 'content-disposition');
  return field ? parseStructured(field.raw).value : '';
}

function filenameOf(node: PartNode): string | null {
  const disposition = firstField(node.fields, 'content-disposition');
  const type = firstField(node.fields, 'content-type');
  return (disposition && decodedParam(disposition.raw, 'filename')) || (type && decodedParam(type.raw, 'name')) || null;
}

function collectAttachments(raw: Buffer, node: PartNode, out: IndexedAttachment[]): void {
  if (node.message) {
    collectAttachments(raw, node.message, out);
    return;
  }
  if (node.children.length > 0) {
    for (const child of node.children) collectAttachments(raw, child, out);
    return;
  }
  if (node.bodyEnd - node.bodyStart <= ATTACHMENT_MIN_BYTES) return;
  if (node.contentType.startsWith('text/') && dispositionOf(node) !== 'attachment') return;
  const hash = createHash('sha256').update(raw.subarray(node.bodyStart, node.bodyEnd)).digest('hex');
  out.push({
    start: node.bodyStart,
    end: node.bodyEnd,
    hash,
    contentType: node.contentType,
    filename: filenameOf(node),
  });
}

/** Indexes a message synchronously. Never throws on malformed input. */
export function indexMessageSync(raw: Buffer): IndexedMessage {
  const root = parseMimeTree(raw);
  const fields = root.fields;
  const subject = decodedSubject(fields);
  const attachments: IndexedAttachment[] = [];
  collectAttachments(raw, root, attachments);
  const addresses = (name: string) => addressListText(addressField(fields, name));
  const from = addresses('from');
  const to = addresses('to');
  const cc = addresses('cc');
  const bcc = addresses('bcc');
  return {
    size: raw.length,
    mime: toMimePart(root),
    envelope: buildEnvelope(fields),
    bodystructure: buildBodystructure(raw, root, true),
    body: buildBodystructure(raw, root, false),
    headers: fields
      .filter((field) => field.name)
      .map((field) => ({ key: field.name, value: decodeHeaderWords(headerText(field.raw)) })),
    messageId: firstMessageId(fieldText(fields, 'message-id')),
    inReplyTo: firstMessageId(fieldText(fields, 'in-reply-to')),
    references: messageIdList(fieldText(fields, 'references')),
    subject,
    normalizedSubject: baseSubject(subject),
    date: parseDate(fieldText(fields, 'date')),
    from,
    to,
    cc,
    bcc,
    text: bodyText(raw, root, (message) => searchableHeader(message.fields)),
    headerText: [subject, from, to, cc, bcc].filter(Boolean).join('\n'),
    attachments,
  };
}

/** Parses and indexes a message (the contract's entry point). Never rejects on malformed MIME. */
export async function indexMessage(raw: Buffer): Promise<IndexedMessage> {
  return indexMessageSync(raw);
}
