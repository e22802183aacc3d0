/**
 * The messages of one APPEND: MULTIAPPEND (RFC 3502 §6.3.11: several `[flags] [date-time] message` groups after
 * the mailbox name, stored all or none), CATENATE (RFC 4469 §5: a message built from `TEXT literal` parts and
 * `URL "imap-url"` parts naming a message or part of this account, RFC 5092 syntax) and literal8 messages
 * (RFC 3516 §4.4, which the parser already hands over as literals). A URL that names nothing, or a folder
 * whose UIDVALIDITY changed, is NO [BADURL url] (RFC 4469 §5); a built message larger than the APPEND limit is
 * NO [TOOBIG] (RFC 7889 §4).
 */
import { InputSyntaxError, UserError } from '@mailyard/errors';
import type { MailboxSession } from '@mailyard/mailstore';
import { parseFlags } from './commands/flags.js';
import type { Token } from './protocol/types.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DATE_TIME = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** RFC 9051 §9 date-time; every field range-checked, the day against the month (no 31-Feb). */
export function parseDateTime(text: string): Date {
  const m = DATE_TIME.exec(text);
  const month = m ? MONTHS.indexOf((m[2] ?? '').toLowerCase()) : -1;
  if (!m || month < 0) throw new InputSyntaxError('Invalid date-time');
  const [day, year, hour, minute, second, zh, zm] = [m[1], m[3], m[4], m[5], m[6], m[8], m[9]].map(Number) as number[];
  const valid =
    (day as number) >= 1 &&
    (day as number) <= new Date(Date.UTC(year as number, month + 1, 0)).getUTCDate() &&
    (hour as number) < 24 &&
    (minute as number) < 60 &&
    (second as number) < 61 &&
    (zm as number) < 60;
  if (!valid) throw new InputSyntaxError('Invalid date-time');
  const offset = (m[7] === '-' ? -1 : 1) * ((zh as number) * 60 + (zm as number));
  const utc = Date.UTC(year as number, month, day, hour, minute, Math.min(second as number, 59));
  return new Date(utc - offset * 60_000);
}

export type CatenatePart = { kind: 'text'; bytes: Buffer } | { kind: 'url'; url: string };

export interface AppendItemArgs {
  flags: string[];
  date?: Date;
  /** The literal, or the parts of a CATENATE. */
  message: Buffer | CatenatePart[];
}

function catenateParts(token: Token | undefined): CatenatePart[] {
  if (token?.type !== 'list' || token.items.length === 0) throw new InputSyntaxError('CATENATE needs a list of parts');
  const parts: CatenatePart[] = [];
  const items = token.items;
  for (let i = 0; i < items.length; i += 2) {
    const kind = items[i]?.type === 'atom' ? (items[i] as { value: string }).value.toUpperCase() : '';
    const value = items[i + 1];
    if (kind === 'TEXT' && value?.type === 'literal') parts.push({ kind: 'text', bytes: value.value });
    else if (kind === 'URL' && (value?.type === 'string' || value?.type === 'atom' || value?.type === 'literal')) {
      const url = value.type === 'atom' ? value.value : value.value.toString('utf8');
      parts.push({ kind: 'url', url });
    } else throw new InputSyntaxError('Invalid CATENATE part');
  }
  return parts;
}

/** Parses the groups after the mailbox name: `[flags] [date-time] (literal | CATENATE (parts))`, one or more. */
export function parseAppendItems(args: Token[], maxKeywords: number): AppendItemArgs[] {
  const items: AppendItemArgs[] = [];
  let i = 0;
  while (i < args.length) {
    let flags: string[] = [];
    let date: Date | undefined;
    const first = args[i];
    if (first?.type === 'list') {
      flags = parseFlags(first.items, maxKeywords);
      i++;
    }
    const maybeDate = args[i];
    if (maybeDate?.type === 'string') {
      date = parseDateTime(maybeDate.value.toString('latin1'));
      i++;
    }
    const body = args[i];
    let message: Buffer | CatenatePart[];
    if (body?.type === 'literal') message = body.value;
    else if (body?.type === 'atom' && body.value.toUpperCase() === 'CATENATE') message = catenateParts(args[++i]);
    else throw new InputSyntaxError('APPEND needs a message literal or CATENATE');
    i++;
    items.push({ flags, ...(date ? { date } : {}), message });
  }
  if (items.length === 0) throw new InputSyntaxError('APPEND needs a message');
  return items;
}

interface ImapUrl {
  folder: string;
  uidValidity?: number;
  uid: number;
  section: string;
  partial?: { start: number; length?: number };
}

/** RFC 5092 §6 path form of an IMAP URL naming a message: /<folder>[;UIDVALIDITY=n]/;UID=n[/;SECTION=s][/;PARTIAL=o[.l]]. */
export function parseImapUrl(url: string): ImapUrl | null {
  const m =
    /^(?:imap:\/\/[^/]*)?\/([^;]*)(?:;uidvalidity=(\d+))?\/;uid=(\d+)(?:\/;section=([^/;]*))?(?:\/;partial=(\d+)(?:\.(\d+))?)?$/i.exec(
      url,
    );
  if (!m) return null;
  let folder: string;
  try {
    folder = decodeURIComponent(m[1] ?? '');
  } catch {
    return null;
  }
  if (!folder) return null;
  const partial =
    m[5] === undefined ? undefined : { start: Number(m[5]), ...(m[6] !== undefined ? { length: Number(m[6]) } : {}) };
  return {
    folder,
    ...(m[2] !== undefined ? { uidValidity: Number(m[2]) } : {}),
    uid: Number(m[3]),
    section: decodeURIComponent(m[4] ?? '').toUpperCase(),
    ...(partial ? { partial } : {}),
  };
}

function badUrl(url: string): UserError {
  return new UserError(`Cannot resolve ${url}`, { code: `BADURL ${url.replace(/[\]\r\n]/g, '')}` });
}

/** The bytes an IMAP URL names in this account (RFC 4469 §5); BADURL when it names nothing. */
function urlBytes(mailbox: MailboxSession, url: string): Buffer {
  const parsed = parseImapUrl(url);
  const folder = parsed ? mailbox.getFolder(parsed.folder) : null;
  if (!parsed || !folder) throw badUrl(url);
  if (parsed.uidValidity !== undefined && parsed.uidValidity !== folder.uidValidity) throw badUrl(url);
  const bytes = mailbox.getSection(folder.path, parsed.uid, parsed.section, parsed.partial);
  if (!bytes) throw badUrl(url);
  return bytes;
}

/** Builds a CATENATE message; NO [TOOBIG] past `maxBytes`. */
export function buildCatenated(mailbox: MailboxSession, parts: CatenatePart[], maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    const bytes = part.kind === 'text' ? part.bytes : urlBytes(mailbox, part.url);
    size += bytes.length;
    if (size > maxBytes) throw new UserError('The message is larger than the APPEND limit', { code: 'TOOBIG' });
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
