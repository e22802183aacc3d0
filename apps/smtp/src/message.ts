/**
 * What the SMTP processes read from and add to a message: the header block (RFC 5322 §2.2), Received trace
 * headers (RFC 5321 §4.4), the From addresses (RFC 5322 §3.6.2) and the line-ending checks of RFC 5321 §2.3.8.
 * The message itself is never rewritten: headers are only prepended, so the original bytes follow them exactly.
 */
import addressparser from 'nodemailer/lib/addressparser/index.js';

const CRLF_CRLF = Buffer.from('\r\n\r\n');

export interface HeaderField {
  /** Lowercased field name. */
  key: string;
  /** Unfolded value without the leading space. */
  value: string;
}

/** The header block (up to and without the blank line); the whole message when it has no body. */
export function headerBlock(raw: Buffer): string {
  const end = raw.indexOf(CRLF_CRLF);
  return raw.subarray(0, end < 0 ? raw.length : end + 2).toString('latin1');
}

export function headerFields(raw: Buffer): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of headerBlock(raw).split('\r\n')) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

export function countHeaders(raw: Buffer, name: string): number {
  return headerFields(raw).filter((f) => f.key === name).length;
}

/** Lowercased addresses of every From field (a message should have one, RFC 5322 §3.6). */
export function fromAddresses(raw: Buffer): string[] {
  const values = headerFields(raw)
    .filter((f) => f.key === 'from')
    .map((f) => Buffer.from(f.value, 'latin1').toString('utf8'));
  return values.flatMap((value) => addressparser(value, { flatten: true }).map((a) => a.address.toLowerCase()));
}

/** RFC 5321 §2.3.8: lines end in CRLF; a bare LF is how SMTP smuggling hides a second message. */
export function hasBareLineFeed(raw: Buffer): boolean {
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (i === 0 || raw[i - 1] !== 0x0d) return true;
  }
  return false;
}

/** RFC 5321 §4.5.2 / RFC 6152: NUL is not allowed in message content, not even with 8BITMIME. */
export function hasNul(raw: Buffer): boolean {
  return raw.includes(0);
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
