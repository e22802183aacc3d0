// What SORT (RFC 5256 §3, RFC 5957) and THREAD (RFC 5256 §2.2) compare, read from a message header once so the
// mail store can keep it beside the message. String keys are already in i;ascii-casemap form (ASCII letters
// upper-cased, every other octet as is, RFC 4790 §9.2), so comparing their UTF-8 bytes is the collation.

import { type AddressEntry, parseAddressList } from './address-list.js';
import { subjectInfo } from './base-subject.js';
import { decodeHeaderWords } from './charset-text.js';
import { findHeaderEnd, firstField, type HeaderField, headerText, splitHeaderFields } from './header-block.js';
import { firstMessageId, messageIdList } from './message-ids.js';

export interface SortFields {
  /** RFC 5256 §2.1 base subject, casemapped. */
  subject: string;
  /** The base subject came from a reply or forward (RFC 5256 §2.2 step 5). */
  replyOrForward: boolean;
  /** addr-mailbox of the first From/To/Cc address, casemapped ('' when there is none). */
  from: string;
  to: string;
  cc: string;
  /** RFC 5957 §3: decoded display name of the first From/To address, else its addr-spec; casemapped. */
  displayFrom: string;
  displayTo: string;
  /** First msg-id of Message-ID (compared byte for byte, RFC 5256 §2.2); null when absent. */
  messageId: string | null;
  /** RFC 5256 §2.2: the References ids, or when there are none the first msg-id of In-Reply-To. */
  references: string[];
}

/** i;ascii-casemap (RFC 4790 §9.2): a-z become A-Z, nothing else changes. */
export function asciiCasemap(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/** RFC 2047 decoding, skipped for the common text without encoded words. */
function decoded(text: string): string {
  return text.includes('=?') ? decodeHeaderWords(text) : text;
}

function fieldText(fields: HeaderField[], name: string): string | null {
  const field = firstField(fields, name);
  return field ? headerText(field.raw) : null;
}

function firstAddress(fields: HeaderField[], name: string): AddressEntry | undefined {
  const text = fieldText(fields, name);
  return text ? parseAddressList(text)[0] : undefined;
}

/** The addr-mailbox of the first ENVELOPE address: a mailbox's local part, or a group's name (RFC 3501 §7.4.2). */
function addrMailbox(entry: AddressEntry | undefined): string {
  if (!entry) return '';
  return entry.kind === 'mailbox' ? entry.mailbox : entry.name;
}

/** RFC 5957 §3: the display name (RFC 2047 decoded) when present and not empty, else the addr-spec. */
function displayValue(entry: AddressEntry | undefined): string {
  if (!entry) return '';
  if (entry.kind === 'group') return decoded(entry.name).trim();
  const name = entry.name ? decoded(entry.name).trim() : '';
  if (name) return name;
  return entry.host ? `${entry.mailbox}@${entry.host}` : entry.mailbox;
}

/** Sort and thread keys of a message, from its header block (the bytes before the body are enough). */
export function sortFields(raw: Buffer): SortFields {
  const { headerEnd } = findHeaderEnd(raw, 0, raw.length);
  const fields = splitHeaderFields(raw, 0, headerEnd);
  const subject = subjectInfo(decoded(fieldText(fields, 'subject') ?? '').trim());
  const from = firstAddress(fields, 'from');
  const to = firstAddress(fields, 'to');
  const references = messageIdList(fieldText(fields, 'references'));
  const inReplyTo = firstMessageId(fieldText(fields, 'in-reply-to'));
  return {
    subject: asciiCasemap(subject.base),
    replyOrForward: subject.replyOrForward,
    from: asciiCasemap(addrMailbox(from)),
    to: asciiCasemap(addrMailbox(to)),
    cc: asciiCasemap(addrMailbox(firstAddress(fields, 'cc'))),
    displayFrom: asciiCasemap(displayValue(from)),
    displayTo: asciiCasemap(displayValue(to)),
    messageId: firstMessageId(fieldText(fields, 'message-id')),
    references: references.length > 0 ? references : inReplyTo ? [inReplyTo] : [],
  };
}
