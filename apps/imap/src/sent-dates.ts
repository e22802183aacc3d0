/**
 * SENTBEFORE, SENTON and SENTSINCE (RFC 9051 §6.4.4) compare the date *as written* in the Date header, in the
 * header's own time zone ("disregarding time and timezone"), where the store keeps the sent date in UTC. The
 * written day differs from the UTC day by at most one, so the store answers the certain cases, and messages
 * whose UTC day is within a day of the asked one are checked against their Date header here. Messages without
 * a readable Date header use the internal date, as the store does.
 */
import type { MailboxSession, MessageQuery } from '@mailyard/mailstore';

const DAY_MS = 86_400_000;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 5322 §3.3 date: day month year (obsolete two-digit years allowed, §4.3). */
const WRITTEN_DATE = /(?:^|[\s,])(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{2,4})\b/i;

type SentKey = 'sentbefore' | 'senton' | 'sentsince';

function isSentKey(key: string): key is SentKey {
  return key === 'sentbefore' || key === 'senton' || key === 'sentsince';
}

/** The calendar day written in a Date header, as UTC midnight ms; null when it cannot be read. */
export function writtenDay(value: string): number | null {
  const m = WRITTEN_DATE.exec(value);
  const month = m ? MONTHS.indexOf((m[2] ?? '').toLowerCase()) : -1;
  if (!m || month < 0) return null;
  let year = Number(m[3]);
  if (year < 50) year += 2000;
  else if (year < 1000) year += 1900;
  return Date.UTC(year, month, Number(m[1]));
}

class SentDates {
  readonly #mailbox: MailboxSession;
  readonly #path: string;
  readonly #days = new Map<number, number>();

  constructor(mailbox: MailboxSession, path: string) {
    this.#mailbox = mailbox;
    this.#path = path;
  }

  #dayOf(uid: number): number {
    const known = this.#days.get(uid);
    if (known !== undefined) return known;
    const stored = this.#mailbox.getMessage(this.#path, uid);
    const header = stored?.headers.find((h) => h.key.toLowerCase() === 'date')?.value;
    const written = header ? writtenDay(header) : null;
    const internal = stored ? Math.floor(stored.internalDate.getTime() / DAY_MS) * DAY_MS : 0;
    const day = written ?? internal;
    this.#days.set(uid, day);
    return day;
  }

  #search(query: MessageQuery): number[] {
    return this.#mailbox.search(this.#path, query);
  }

  /** The UIDs matching one SENT* key by the written day. */
  resolve(key: SentKey, date: Date): number[] {
    const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    const near = [-1, 0, 1].flatMap((offset) => this.#search({ key: 'senton', date: new Date(day + offset * DAY_MS) }));
    const test = (d: number) => (key === 'senton' ? d === day : key === 'sentbefore' ? d < day : d >= day);
    const certain =
      key === 'sentbefore'
        ? this.#search({ key: 'sentbefore', date: new Date(day - DAY_MS) })
        : key === 'sentsince'
          ? this.#search({ key: 'sentsince', date: new Date(day + 2 * DAY_MS) })
          : [];
    const checked = near.filter((uid) => test(this.#dayOf(uid)));
    return [...new Set([...certain, ...checked])].sort((a, b) => a - b);
  }
}

function hasSentKey(query: MessageQuery): boolean {
  switch (query.key) {
    case 'and':
      return query.of.some(hasSentKey);
    case 'or':
      return hasSentKey(query.left) || hasSentKey(query.right);
    case 'not':
      return hasSentKey(query.of);
    default:
      return isSentKey(query.key);
  }
}

function rewrite(query: MessageQuery, dates: SentDates): MessageQuery {
  switch (query.key) {
    case 'and':
      return { key: 'and', of: query.of.map((q) => rewrite(q, dates)) };
    case 'or':
      return { key: 'or', left: rewrite(query.left, dates), right: rewrite(query.right, dates) };
    case 'not':
      return { key: 'not', of: rewrite(query.of, dates) };
    default:
      if (!isSentKey(query.key) || !('date' in query)) return query;
      return { key: 'uid', set: dates.resolve(query.key, query.date) };
  }
}

/** The query with every SENT* key replaced by the UIDs it matches by the written day. */
export function resolveSentDates(query: MessageQuery, mailbox: MailboxSession, path: string): MessageQuery {
  return hasSentKey(query) ? rewrite(query, new SentDates(mailbox, path)) : query;
}
