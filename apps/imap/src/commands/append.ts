/**
 * APPEND (RFC 9051 §6.3.12) with APPENDUID (RFC 4315 §3) and APPENDLIMIT (RFC 7889): through the store's one
 * ingest path; the tagged OK only after the store committed the message. An impossible date-time (31-Feb) is
 * BAD (issue 12 item 12); a missing folder NO [TRYCREATE]. When the target is the selected folder, the core's
 * flush sends `* n EXISTS` before the tagged OK.
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { Command } from '../protocol/command.js';
import type { Token } from '../protocol/types.js';
import type { Session } from '../session.js';
import { list, mailboxArg } from './args.js';
import { parseFlags } from './flags.js';

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

interface AppendArgs {
  path: string;
  flags: string[];
  date?: Date;
  message: Buffer;
}

function appendArgs(args: Token[], session: Session): AppendArgs {
  if (args.length < 2 || args.length > 4) throw new InputSyntaxError('Invalid APPEND arguments');
  const path = mailboxArg(args[0], session.utf8);
  let i = 1;
  let flags: string[] = [];
  let date: Date | undefined;
  if (args[i]?.type === 'list') flags = parseFlags(list(args[i++]), session.ctx.protocol.maxKeywordsPerMessage);
  const maybeDate = args[i];
  if (maybeDate && maybeDate.type === 'string') {
    date = parseDateTime(maybeDate.value.toString('latin1'));
    i++;
  }
  const literal = args[i];
  if (literal?.type !== 'literal' || i !== args.length - 1)
    throw new InputSyntaxError('APPEND needs a message literal');
  return { path, flags, ...(date ? { date } : {}), message: literal.value };
}

export const append: Command<Session> = {
  name: 'APPEND',
  states: ['authenticated', 'selected'],
  literals: 'message',
  async run({ args, session }) {
    const { path, flags, date, message } = appendArgs(args, session);
    const mailbox = session.requireMailbox();
    if (message.length === 0) return { status: 'NO', text: 'Empty message' };
    if (!mailbox.getFolder(path)) return { status: 'NO', code: 'TRYCREATE', text: 'No such folder' };
    const result = await mailbox.append(path, message, { flags, ...(date ? { internalDate: date } : {}) });
    return { status: 'OK', code: `APPENDUID ${result.uidValidity} ${result.uid}`, text: 'APPEND completed' };
  },
};
