// IMAP ENVELOPE (RFC 3501 §7.4.2): date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id.
// Strings are the header text as found (unfolded; encoded words are NOT decoded, the client does that; 8-bit
// UTF-8 headers come through as text), null is NIL. Layout matches wildduck's indexer so imap-core can print it.

import { type AddressEntry, parseAddressList } from './address-list.js';
import { firstField, type HeaderField, headerText } from './header-block.js';

/** [name, adl, mailbox, host]; group start is [null, null, groupName, null] and group end all null. */
export type EnvelopeAddress = [string | null, string | null, string | null, string | null];

export type Envelope = [
  string | null,
  string | null,
  EnvelopeAddress[] | null,
  EnvelopeAddress[] | null,
  EnvelopeAddress[] | null,
  EnvelopeAddress[] | null,
  EnvelopeAddress[] | null,
  EnvelopeAddress[] | null,
  string | null,
  string | null,
];

function fieldText(fields: HeaderField[], name: string): string | null {
  const field = firstField(fields, name);
  return field ? headerText(field.raw) : null;
}

/** Parsed address list of the first field with this name ([] when absent). */
export function addressField(fields: HeaderField[], name: string): AddressEntry[] {
  const text = fieldText(fields, name);
  return text ? parseAddressList(text) : [];
}

/**
 * Envelope address list; NIL when empty. A group, empty ones (`undisclosed-recipients:;`) included, is a start
 * marker [NIL NIL name NIL], its members and an end marker [NIL NIL NIL NIL] (RFC 3501 §7.4.2).
 */
function envelopeAddresses(entries: AddressEntry[]): EnvelopeAddress[] | null {
  const list: EnvelopeAddress[] = [];
  for (const entry of entries) {
    if (entry.kind === 'mailbox') {
      list.push([entry.name, entry.route, entry.mailbox, entry.host]);
      continue;
    }
    list.push([null, null, entry.name, null]);
    for (const member of entry.members) list.push([member.name, member.route, member.mailbox, member.host]);
    list.push([null, null, null, null]);
  }
  return list.length > 0 ? list : null;
}

export function buildEnvelope(fields: HeaderField[]): Envelope {
  const from = envelopeAddresses(addressField(fields, 'from'));
  // RFC 3501 §7.4.2: an absent or empty Sender or Reply-To takes the value of From.
  const sender = envelopeAddresses(addressField(fields, 'sender')) ?? from;
  const replyTo = envelopeAddresses(addressField(fields, 'reply-to')) ?? from;
  return [
    fieldText(fields, 'date'),
    fieldText(fields, 'subject'),
    from,
    sender,
    replyTo,
    envelopeAddresses(addressField(fields, 'to')),
    envelopeAddresses(addressField(fields, 'cc')),
    envelopeAddresses(addressField(fields, 'bcc')),
    fieldText(fields, 'in-reply-to'),
    fieldText(fields, 'message-id'),
  ];
}
