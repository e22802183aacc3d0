/**
 * mbox, written as mboxrd and read as mboxrd or mboxo (the "From " line family of RFC 4155 and the qmail
 * mbox(5) page): each message starts with a `From <sender> <asctime date>` line and ends with one blank line.
 * mboxrd quoting makes the format reversible: a body line matching `>*From ` gets one more `>` on writing and
 * loses one on reading. An mboxo file (only `From ` quoted) reads the same way.
 *
 * Flags and the folder travel in header fields that mail readers understand (Status, X-Status, X-Keywords) plus
 * two of ours, all in a block placed before the message's own header and announced by its first line
 * (`X-Mailyard-Prefix: <lines>`). Reading one of our files removes exactly that block, so the message comes
 * back byte for byte; a foreign mbox keeps its bytes and its Status fields give the flags.
 *
 * The From line's date is the internal date in UTC (seconds); X-Mailyard-Internal-Date keeps the milliseconds, and
 * X-Mailyard-Size the exact length (a message without a final line ending gets one in the file).
 */
import { createReadStream } from 'node:fs';
import { findHeaderEnd, splitHeaderFields } from '@mailyard/mail';
import { flagsFromMboxFields, mboxStatusFields } from './flags.js';
import type { ReadItem, TransferMessage } from './types.js';

const PREFIX_FIELD = 'X-Mailyard-Prefix';
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** asctime() form in UTC, as From lines carry it: `Thu Jan  1 00:00:00 2026`. */
export function asctime(date: Date): string {
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${day} ${time} ${date.getUTCFullYear()}`;
}

function parseAsctime(line: string): Date | null {
  const m =
    /(?:[A-Z][a-z]{2} )?([A-Z][a-z]{2}) +(\d{1,2}) (\d{1,2}):(\d{2})(?::(\d{2}))? (?:[A-Z]{3,4} |[+-]\d{4} )?(\d{4})/.exec(
      line,
    );
  if (!m) return null;
  const month = MONTHS.indexOf(m[1] as string);
  if (month < 0) return null;
  const date = Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0));
  return Number.isNaN(date) ? null : new Date(date);
}

/** The message's own line ending, so that our header block matches it. */
function lineEnding(raw: Buffer): string {
  const lf = raw.indexOf(10);
  return lf > 0 && raw[lf - 1] === 13 ? '\r\n' : '\n';
}

/** One message as an mboxrd entry: From line, our header block, the quoted message, the blank line. */
export function mboxEntry(message: TransferMessage): Buffer {
  const eol = lineEnding(message.raw);
  const { status, xStatus, keywords } = mboxStatusFields(message.flags);
  const block = [
    `Status: ${status}`,
    `X-Status: ${xStatus}`,
    `X-Keywords: ${keywords.join(' ')}`,
    `X-Mailyard-Folder: ${encodeURIComponent(message.folder).replace(/%2F/g, '/')}`,
    `X-Mailyard-Internal-Date: ${message.internalDate.toISOString()}`,
    `X-Mailyard-Size: ${message.raw.length}`,
  ];
  const head = `From MAILER-DAEMON ${asctime(message.internalDate)}\n${PREFIX_FIELD}: ${block.length}${eol}${block.join(eol)}${eol}`;
  const quoted = Buffer.from(message.raw.toString('latin1').replace(/(^|\n)(>*From )/g, '$1>$2'), 'latin1');
  // A From line must follow a blank line; a message without a final line ending gets one here, and
  // X-Mailyard-Size tells our reader to take it off again.
  const end = message.raw[message.raw.length - 1] === 10 ? '\n' : '\n\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), quoted, Buffer.from(end)]);
}

export async function* writeMbox(messages: AsyncIterable<TransferMessage>): AsyncGenerator<Buffer> {
  for await (const message of messages) yield mboxEntry(message);
}

/** The value of a header field in a block of lines (first occurrence), unfolded. */
function fieldValue(raw: Buffer, name: string): string {
  const { headerEnd } = findHeaderEnd(raw, 0, raw.length);
  const field = splitHeaderFields(raw, 0, headerEnd).find((f) => f.name === name);
  if (!field) return '';
  const text = raw.toString('latin1', field.start, field.end);
  return text
    .slice(text.indexOf(':') + 1)
    .replace(/\r?\n[ \t]/g, ' ')
    .trim();
}

/** Parses one entry (the From line onwards, the separating newline included). */
export function parseMboxEntry(entry: Buffer, defaultFolder: string, source: string): ReadItem {
  const firstLf = entry.indexOf(10);
  const fromLine = entry.toString('latin1', 0, firstLf < 0 ? entry.length : firstLf);
  let end = entry.length;
  // The blank line before the next From line belongs to the format, not to the message.
  if (end > 0 && entry[end - 1] === 10) end -= 1;
  if (end >= 3 && entry.toString('latin1', end - 3, end) === '\r\n\r') end -= 1;
  const start = firstLf < 0 ? entry.length : firstLf + 1;
  if (start >= end) return { source, reason: 'empty message' };
  let raw = Buffer.from(entry.toString('latin1', start, end).replace(/(^|\n)>(>*From )/g, '$1$2'), 'latin1');
  let internalDate = parseAsctime(fromLine.slice(5)) ?? new Date();
  let folder = defaultFolder;
  const prefix = new RegExp(`^${PREFIX_FIELD}: (\\d+)\\r?\\n`, 'i').exec(raw.toString('latin1', 0, 64));
  let flagSource = raw;
  if (prefix) {
    let pos = prefix[0].length;
    for (let i = 0; i < Number(prefix[1]) && pos < raw.length; i++) {
      const lf = raw.indexOf(10, pos);
      pos = lf < 0 ? raw.length : lf + 1;
    }
    const block = raw.subarray(prefix[0].length, pos);
    flagSource = Buffer.concat([block, Buffer.from('\n')]);
    raw = raw.subarray(pos);
    const exported = fieldValue(flagSource, 'x-mailyard-folder');
    if (exported) folder = decodeURIComponent(exported);
    const exact = new Date(fieldValue(flagSource, 'x-mailyard-internal-date'));
    if (!Number.isNaN(exact.getTime())) internalDate = exact;
    const size = Number(fieldValue(flagSource, 'x-mailyard-size'));
    if (Number.isInteger(size) && raw.length > size && raw.length - size <= 2) raw = raw.subarray(0, size);
  }
  const flags = flagsFromMboxFields(
    fieldValue(flagSource, 'status'),
    fieldValue(flagSource, 'x-status'),
    fieldValue(flagSource, 'x-keywords'),
  );
  return { folder, raw, flags, internalDate, source };
}

const FROM = Buffer.from('\nFrom ');

/**
 * Reads an mbox file message by message: only the message being read is in memory, never the whole file.
 * Fails (throws) when the file does not start with a From line.
 */
export async function* readMbox(path: string, defaultFolder = 'INBOX'): AsyncGenerator<ReadItem> {
  let pending: Buffer = Buffer.alloc(0);
  let scanFrom = 0;
  let count = 0;
  let checked = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    if (!checked && pending.length >= 5) {
      if (pending.toString('latin1', 0, 5) !== 'From ') throw new Error(`${path} is not an mbox file (no From line)`);
      checked = true;
    }
    for (;;) {
      const at = pending.indexOf(FROM, Math.max(scanFrom, 1));
      if (at < 0) {
        scanFrom = Math.max(0, pending.length - FROM.length);
        break;
      }
      count += 1;
      yield parseMboxEntry(pending.subarray(0, at + 1), defaultFolder, `${path} message ${count}`);
      pending = pending.subarray(at + 1);
      scanFrom = 0;
    }
  }
  if (pending.length > 0) {
    if (!checked && pending.toString('latin1', 0, 5) !== 'From ') throw new Error(`${path} is not an mbox file`);
    count += 1;
    yield parseMboxEntry(pending, defaultFolder, `${path} message ${count}`);
  }
}
