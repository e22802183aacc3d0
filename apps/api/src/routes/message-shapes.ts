/**
 * Message shapes of /v1/messages: request schemas, the JSON form of a stored message, how a public id finds the
 * stored message, and the RFC 5322 check a raw upload must pass.
 *
 * Public message id: the RFC 8474 EMAILID ('M' + 24 hex, objectid.ts in the mail store). It names the stored
 * content and never changes: not on flag changes, not on MOVE (UIDs do), and a COPY shares it (RFC 8474 §5.1),
 * so one id can be in several folders at once. Each listed item names its folder; `?folder=` on a single-message
 * route picks one copy; without it, GET shows the first copy (in folder order) and PUT/DELETE act on every copy.
 */
import { NotFoundError } from '@mailyard/errors';
import { decodeHeaderWords, type EnvelopeAddress, messageContent } from '@mailyard/mail';
import type { EmailSummary, MailboxSession, MessageQuery, StoredMessage } from '@mailyard/mailstore';
import { z } from 'zod';

const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;
const systemFlag = z.enum(SYSTEM_FLAGS);
/** An IMAP keyword: an atom (RFC 3501 §9 flag-keyword), not a system flag. */
const keyword = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\s(){%*"\\\]\p{Cc}]+$/u, 'a keyword is an IMAP atom: no spaces, ( ) { % * " \\ ]');

const booleanParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const dayParam = z.iso.date('a calendar day YYYY-MM-DD').transform((v) => new Date(`${v}T00:00:00Z`));
const textParam = z.string().min(1).max(1000);

export const messageListQuery = z.object({
  folder: z.string().min(1).max(512).default('INBOX').describe('Folder id or path'),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  unread: booleanParam.optional().describe('true: only unread (no \\Seen); false: only read'),
  flagged: booleanParam.optional().describe('true: only \\Flagged; false: only not flagged'),
  since: dayParam.optional().describe('Received on or after this UTC day (YYYY-MM-DD)'),
  before: dayParam.optional().describe('Received before this UTC day (YYYY-MM-DD)'),
  from: textParam.optional().describe('Substring of From'),
  to: textParam.optional().describe('Substring of To'),
  subject: textParam.optional().describe('Substring of Subject'),
  text: textParam.optional().describe('Words anywhere in the header or body (full-text index)'),
});

export const messageGetQuery = z.object({
  folder: z.string().min(1).max(512).optional().describe('Folder id or path of the copy meant'),
  eml: booleanParam.optional().describe('true: the raw message (message/rfc822), byte for byte as IMAP BODY[]'),
});

export const messageDeleteQuery = z.object({
  folder: z.string().min(1).max(512).optional().describe('Folder id or path of the copy meant'),
  expunge: booleanParam.optional().describe('true: remove at once instead of moving to Trash'),
});

export const messageCreateQuery = z.object({
  folder: z.string().min(1).max(512).default('INBOX').describe('Folder id or path (raw uploads)'),
});

const addressInput = z.string().min(1).max(998);

/** A message as JSON, composed into MIME on the server; or `raw` (the whole message as text). */
export const messageCreate = z.strictObject({
  folder: z.string().min(1).max(512).default('INBOX'),
  flags: z.array(systemFlag).max(5).optional(),
  keywords: z.array(keyword).max(100).optional(),
  raw: z.string().min(1).optional(),
  from: addressInput.optional(),
  to: z.array(addressInput).max(100).optional(),
  cc: z.array(addressInput).max(100).optional(),
  bcc: z.array(addressInput).max(100).optional(),
  reply_to: addressInput.optional(),
  subject: z.string().max(998).optional(),
  text: z.string().optional(),
  html: z.string().optional(),
  date: z.iso.datetime({ offset: true }).optional(),
  headers: z.record(z.string().regex(/^[\x21-\x39\x3b-\x7e]+$/), z.string().max(998)).optional(),
  attachments: z
    .array(
      z.strictObject({
        filename: z.string().min(1).max(255),
        content: z.base64(),
        content_type: z.string().max(255).optional(),
        content_id: z.string().max(255).optional(),
      }),
    )
    .max(100)
    .optional(),
});

export const messageUpdate = z.strictObject({
  /** The system flags the message has afterwards (others are removed); keywords are left alone. */
  flags: z.array(systemFlag).max(5).optional(),
  /** The keywords the message has afterwards; system flags are left alone. */
  keywords: z.array(keyword).max(100).optional(),
  /** Move into this folder (id or path). */
  folder: z.string().min(1).max(512).optional(),
});

const addressOut = z.strictObject({ name: z.string(), address: z.string() });

export const messageSummaryOut = z.strictObject({
  id: z.string(),
  folder: z.string(),
  folder_id: z.string(),
  uid: z.number().int(),
  thread_id: z.string(),
  flags: z.array(z.string()),
  keywords: z.array(z.string()),
  is_unread: z.boolean(),
  is_flagged: z.boolean(),
  size: z.number().int(),
  received_at: z.iso.datetime(),
  subject: z.string(),
  from: z.array(addressOut),
  to: z.array(addressOut),
  cc: z.array(addressOut),
  message_id: z.string().nullable(),
  date: z.string().nullable(),
});

export const messageOut = messageSummaryOut.extend({
  headers: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  text: z.string().nullable(),
  html: z.string().nullable(),
  attachments: z.array(
    z.strictObject({
      part: z.string(),
      content_type: z.string(),
      filename: z.string().nullable(),
      disposition: z.string().nullable(),
      content_id: z.string().nullable(),
      size: z.number().int(),
    }),
  ),
});

/** Where one copy of a message is. */
export interface MessageLocation {
  folder: string;
  folderId: string;
  uid: number;
}

const EMAIL_ID = /^M[0-9a-f]{24}$/;

/** Every copy of the message with this id, in folder order (or only the one in `folder`); [] when none. */
export function findMessage(session: MailboxSession, id: string, folder?: { path: string; objectId: string }) {
  if (!EMAIL_ID.test(id)) return [];
  const copies = session.locate(id).filter((at) => !folder || at.folder === folder.path);
  if (copies.length === 0) return [];
  const ids = new Map(session.listFolders().map((f) => [f.path, f.objectId]));
  return copies.map((at): MessageLocation => ({ folder: at.folder, folderId: ids.get(at.folder) ?? '', uid: at.uid }));
}

/** findMessage, or 404 (an id of another mailbox is unknown here, like one that never existed). */
export function requireMessage(session: MailboxSession, id: string, folder?: { path: string; objectId: string }) {
  const found = findMessage(session, id, folder);
  if (found.length === 0) throw new NotFoundError('message not found');
  return found;
}

/** The first copy of each id; 404 naming the first id not found (nothing is done then). */
export function locateMessages(session: MailboxSession, ids: string[]): Map<string, MessageLocation> {
  const located = new Map<string, MessageLocation>();
  for (const id of ids) {
    const [first] = findMessage(session, id);
    if (!first) throw new NotFoundError(`message ${JSON.stringify(id)} not found`);
    located.set(id, first);
  }
  return located;
}

/** The store query of a list request's filters (the IMAP SEARCH keys: text uses the full-text index). */
export function listFilter(q: z.infer<typeof messageListQuery>): MessageQuery | null {
  const of: MessageQuery[] = [];
  if (q.unread !== undefined) of.push({ key: q.unread ? 'unseen' : 'seen' });
  if (q.flagged !== undefined) of.push({ key: q.flagged ? 'flagged' : 'unflagged' });
  if (q.since) of.push({ key: 'since', date: q.since });
  if (q.before) of.push({ key: 'before', date: q.before });
  if (q.from) of.push({ key: 'from', value: q.from });
  if (q.to) of.push({ key: 'to', value: q.to });
  if (q.subject) of.push({ key: 'subject', value: q.subject });
  if (q.text) of.push({ key: 'text', value: q.text });
  return of.length === 0 ? null : { key: 'and', of };
}

function addresses(list: EnvelopeAddress[] | null | undefined): Array<{ name: string; address: string }> {
  const out: Array<{ name: string; address: string }> = [];
  for (const [name, , mailbox, host] of list ?? []) {
    if (mailbox === null || host === null) continue; // group start and end markers
    out.push({ name: name ? decodeHeaderWords(name) : '', address: `${mailbox}@${host}` });
  }
  return out;
}

function headerValue(message: StoredMessage, key: string): string | null {
  return message.headers.find((h) => h.key === key)?.value ?? null;
}

/** The listed form, from a listing row (EmailSummary) or a whole stored message. */
export function presentSummary(message: EmailSummary | StoredMessage, at: MessageLocation) {
  const envelope = (message.envelope ?? []) as Array<unknown>;
  const flags = message.flags.filter((f) => f.startsWith('\\'));
  const subject = envelope[1] as string | null;
  return {
    id: message.emailId,
    folder: at.folder,
    folder_id: at.folderId,
    uid: message.uid,
    thread_id: message.threadObjectId,
    flags,
    keywords: message.flags.filter((f) => !f.startsWith('\\')),
    is_unread: !flags.includes('\\Seen'),
    is_flagged: flags.includes('\\Flagged'),
    size: message.size,
    received_at: message.internalDate.toISOString(),
    subject: 'headers' in message ? (headerValue(message, 'subject') ?? '') : subject ? decodeHeaderWords(subject) : '',
    from: addresses(envelope[2] as EnvelopeAddress[] | null),
    to: addresses(envelope[5] as EnvelopeAddress[] | null),
    cc: addresses(envelope[6] as EnvelopeAddress[] | null),
    message_id: (envelope[9] as string | null) ?? null,
    date: (envelope[0] as string | null) ?? null,
  };
}

export function presentMessage(message: StoredMessage, at: MessageLocation, raw: Buffer) {
  const content = messageContent(raw);
  return {
    ...presentSummary(message, at),
    headers: message.headers,
    text: content.text,
    html: content.html,
    attachments: content.attachments.map((a) => ({
      part: a.part,
      content_type: a.contentType,
      filename: a.filename,
      disposition: a.disposition,
      content_id: a.contentId,
      size: a.size,
    })),
  };
}

/** RFC 5322 §2.1.1: a line is at most 998 characters, CRLF excluded. */
const MAX_LINE = 998;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+:/;

/**
 * Why these bytes are not an RFC 5322 message (§2.1, §2.2, §3.5: a header section of fields, then optionally an
 * empty line and a body), or null when they are one. Checked before storing an upload; IMAP APPEND stores what
 * it is given, but an API client sending the wrong bytes (a JSON body, a bare text) should hear so.
 */
export function notRfc5322(raw: Buffer): string | null {
  if (raw.length === 0) return 'the message is empty';
  let start = 0;
  let line = 0;
  let fields = 0;
  while (start < raw.length) {
    line++;
    const lf = raw.indexOf(0x0a, start);
    const end = lf === -1 ? raw.length : lf;
    const text = raw.toString('latin1', start, end > start && raw[end - 1] === 0x0d ? end - 1 : end);
    if (text === '') break;
    if (text.length > MAX_LINE) return `header line ${line} is longer than ${MAX_LINE} characters (RFC 5322 §2.1.1)`;
    if (text.includes('\0')) return `header line ${line} contains a NUL byte`;
    if (text.startsWith(' ') || text.startsWith('\t')) {
      if (fields === 0) return 'the message starts with a folded line, not a header field';
    } else if (FIELD_NAME.test(text)) {
      fields++;
    } else {
      return `header line ${line} is not a header field ("Name: value", RFC 5322 §2.2)`;
    }
    if (lf === -1) break;
    start = lf + 1;
  }
  return fields === 0 ? 'the message has no header fields' : null;
}
