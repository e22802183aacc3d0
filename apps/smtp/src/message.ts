/**
 * What the SMTP processes read from and add to a message: the header block and its fields (RFC 5322 §2.2, read
 * through @mailyard/mail's one header parser; SMTP never splits a header itself), the addresses of identity fields such as From and Sender
 * (RFC 5322 §3.6.2, through its address parser) and Received trace headers (RFC 5321 §4.4). The body is never
 * rewritten: headers are prepended, and only forged fields are ever removed from the header block.
 */
import {
  findHeaderEnd,
  type HeaderField,
  headerText,
  mailboxesOf,
  parseAddressList,
  splitHeaderFields,
} from '@mailyard/mail';

/** The header block (up to and without the blank line); the whole message when it has no body. */
export function headerBlock(raw: Buffer): string {
  return raw.subarray(0, findHeaderEnd(raw, 0, raw.length).headerEnd).toString('latin1');
}

/** The fields of the header block at the start of `raw`, with their byte ranges (names lowercased). */
export function headerFields(raw: Buffer): HeaderField[] {
  const { headerEnd } = findHeaderEnd(raw, 0, raw.length);
  return splitHeaderFields(raw, 0, headerEnd);
}

/** One mailbox of an address field as written: local part and domain apart, nothing normalized yet. */
export interface WrittenAddress {
  local: string;
  domain: string;
}

/**
 * Every mailbox named in the fields called `names` (lowercase), group members included; a field with no mailbox
 * at all (an empty group) yields an entry with an empty local part so callers can refuse it.
 */
export function addressesIn(header: Buffer, names: readonly string[]): WrittenAddress[] {
  const found: WrittenAddress[] = [];
  for (const field of headerFields(header).filter((f) => names.includes(f.name))) {
    const mailboxes = mailboxesOf(parseAddressList(headerText(field.raw)));
    if (mailboxes.length === 0) found.push({ local: '', domain: '' });
    for (const mailbox of mailboxes) found.push({ local: mailbox.mailbox, domain: mailbox.host });
  }
  return found;
}

export interface TraceInfo {
  /** EHLO/HELO name the client gave. */
  helo: string;
  /** Client IP address; left out for authenticated submission (the user's address is theirs to keep). */
  ip?: string;
  /** Our host name (config hostname). */
  by: string;
  /** RFC 3848 protocol: ESMTP, ESMTPS, ESMTPSA... */
  protocol: string;
  id: string;
  /** Single recipient only: a multi-recipient `for` would disclose Bcc recipients to each other. */
  recipient?: string;
  date?: Date;
}

/** A Received header (RFC 5321 §4.4), folded, ending in CRLF. */
export function receivedHeader(t: TraceInfo): string {
  const from = t.ip ? `from ${clean(t.helo)} ([${t.ip}])` : `from ${clean(t.helo)}`;
  const forPart = t.recipient ? `\r\n\tfor <${clean(t.recipient)}>` : '';
  const date = (t.date ?? new Date()).toUTCString().replace('GMT', '+0000');
  return `Received: ${from}\r\n\tby ${t.by} with ${t.protocol} id ${t.id}${forPart};\r\n\t${date}\r\n`;
}

/** Client-supplied text placed in a header: no line breaks, no parentheses games. */
function clean(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').replace(/[()<>]/g, '');
}
