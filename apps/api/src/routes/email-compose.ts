/**
 * The message POST /v1/emails sends: built from its fields by nodemailer's MailComposer (MIME, RFC 2045-2049;
 * encoded words, RFC 2047), or taken whole from `raw` after a check that it is an RFC 5322 message. Nothing here
 * reads a file or a URL: attachments carry their content inline, and MailComposer is told to refuse both.
 */
import { ValidationError } from '@mailyard/errors';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { EmailCreate } from './email-shapes.js';

export interface ComposedEmail {
  raw: Buffer;
  envelopeFrom: string;
  recipients: string[];
  subject: string;
}

const COMPOSE_FIELDS = [
  'from',
  'reply_to',
  'in_reply_to',
  'references',
  'subject',
  'text',
  'html',
  'attachments',
  'headers',
] as const;

/** RFC 5322 §2.2: a field name is printable ASCII except the colon. */
const FIELD_START = /^[!-9;-~]+[ \t]*:/;

function addressesOf(list: string | string[] | undefined): string[] {
  if (list === undefined) return [];
  const parsed = addressparser(Array.isArray(list) ? list.join(', ') : list, { flatten: true });
  return parsed.map((a) => a.address).filter((a) => a !== '');
}

function unique(addresses: string[]): string[] {
  return [...new Set(addresses.map((a) => a.trim()))];
}

/** Builds the MIME message with MailComposer; Bcc recipients go to the envelope only. */
async function compose(input: EmailCreate): Promise<ComposedEmail> {
  if (!input.from) throw new ValidationError('from is required unless raw is given', 'from');
  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    replyTo: input.reply_to,
    inReplyTo: input.in_reply_to,
    references: input.references,
    subject: input.subject,
    text: input.text,
    html: input.html,
    headers: input.headers,
    attachments: input.attachments?.map((a) => ({
      content: a.content,
      encoding: a.encoding,
      ...(a.filename ? { filename: a.filename } : {}),
      ...(a.content_type ? { contentType: a.content_type } : {}),
      ...(a.cid ? { cid: a.cid } : {}),
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  const envelope = node.getEnvelope();
  const raw = await node.build();
  return {
    raw,
    envelopeFrom: envelope.from || '',
    recipients: unique(envelope.to),
    subject: input.subject ?? '',
  };
}

interface Field {
  name: string;
  value: string;
  lines: string[];
}

/** The header fields of `header` (CRLF lines); 400 naming the first line that is neither a field nor a fold. */
function fieldsOf(header: string): Field[] {
  const fields: Field[] = [];
  header.split('\r\n').forEach((text, index) => {
    const last = fields[fields.length - 1];
    if ((text.startsWith(' ') || text.startsWith('\t')) && last) {
      last.lines.push(text);
      last.value += text;
      return;
    }
    if (!FIELD_START.test(text)) {
      throw new ValidationError(
        `raw is not an RFC 5322 message: header line ${index + 1} is not a header field`,
        'raw',
      );
    }
    const colon = text.indexOf(':');
    fields.push({ name: text.slice(0, colon).trim().toLowerCase(), value: text.slice(colon + 1), lines: [text] });
  });
  return fields;
}

/**
 * A raw message: line endings made CRLF (JSON clients often send LF), the header checked against RFC 5322 §2.2
 * and §3.6 (fields only, a From field), its Bcc field removed (the envelope carries those recipients).
 */
function fromRaw(input: EmailCreate & { raw: string }): ComposedEmail {
  const extra = COMPOSE_FIELDS.filter((f) => input[f] !== undefined);
  if (extra.length > 0) throw new ValidationError(`raw excludes ${extra.join(', ')}`, extra[0]);
  const text = input.raw.replace(/\r?\n/g, '\r\n');
  const end = text.indexOf('\r\n\r\n');
  if (end <= 0) throw new ValidationError('raw is not an RFC 5322 message: no header block before a blank line', 'raw');
  const fields = fieldsOf(text.slice(0, end));
  const from = fields.filter((f) => f.name === 'from');
  if (from.length !== 1) throw new ValidationError('raw is not an RFC 5322 message: it needs one From field', 'raw');
  const envelopeFrom = addressesOf(from[0]?.value)[0];
  if (!envelopeFrom) throw new ValidationError('raw is not an RFC 5322 message: its From field has no address', 'raw');
  const named = (name: string) => fields.filter((f) => f.name === name).flatMap((f) => addressesOf(f.value));
  const given = input.to !== undefined || input.cc !== undefined || input.bcc !== undefined;
  const recipients = given
    ? [...addressesOf(input.to), ...addressesOf(input.cc), ...addressesOf(input.bcc)]
    : [...named('to'), ...named('cc'), ...named('bcc')];
  const kept = fields.filter((f) => f.name !== 'bcc').flatMap((f) => f.lines);
  const subject = fields.find((f) => f.name === 'subject')?.value.trim() ?? '';
  return {
    raw: Buffer.from(`${kept.join('\r\n')}\r\n${text.slice(end + 2)}`, 'utf8'),
    envelopeFrom,
    recipients: unique(recipients),
    subject,
  };
}

export async function composeEmail(input: EmailCreate): Promise<ComposedEmail> {
  const email = input.raw !== undefined ? fromRaw({ ...input, raw: input.raw }) : await compose(input);
  if (email.recipients.length === 0) throw new ValidationError('no recipients: give to, cc or bcc', 'to');
  return email;
}
