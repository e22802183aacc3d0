/**
 * What the message itself gives away: the GTUBE test string (SpamAssassin's "Generic Test for Unsolicited Bulk
 * Email", which every filter treats as certain spam so that a setup can be tested end to end) and header
 * anomalies that legitimate mail software does not produce. A message larger than spam.maxScanBytes is not read:
 * it gets the zero-score symbol CONTENT_NOT_SCANNED (and the X-Spam-Status header says so).
 */
import type { HeaderField } from '@mailyard/mail';
import type { SpamCheck, SpamCheckResult, SpamSymbol } from './verdict.js';

/** The GTUBE string; a message containing it anywhere is spam by definition. */
export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

const DAY_MS = 24 * 60 * 60 * 1000;

function symbol(name: string, score: number, description: string): SpamSymbol {
  return { name, score, description };
}

function firstField(headers: HeaderField[], name: string): HeaderField | undefined {
  return headers.find((h) => h.name === name);
}

function count(headers: HeaderField[], name: string): number {
  return headers.filter((h) => h.name === name).length;
}

/** The domain of the last address-looking text in a field (the angle address when there is one). */
function addressDomain(value: string): string | null {
  const match = /@([a-z0-9.-]+\.[a-z]{2,})>?\s*$/i.exec(value.trim());
  return match?.[1]?.toLowerCase() ?? null;
}

function dateAnomaly(headers: HeaderField[], now: number): SpamSymbol | null {
  const date = firstField(headers, 'date');
  if (!date) return symbol('MISSING_DATE', 1, 'No Date header (RFC 5322 §3.6 requires one)');
  const when = Date.parse(date.raw);
  if (Number.isNaN(when)) return symbol('INVALID_DATE', 1, 'Date header that does not parse');
  if (when > now + DAY_MS) return symbol('DATE_IN_FUTURE', 1.5, 'Date more than a day ahead');
  return null;
}

/** A display name that shows an address of another domain than the real one: a classic phishing disguise. */
function fromDisguise(from: HeaderField): SpamSymbol | null {
  const match = /^\s*"?([^"<]*)"?\s*<([^>]*)>\s*$/.exec(from.raw);
  if (!match) return null;
  const shown = /[a-z0-9._%+-]+@([a-z0-9.-]+\.[a-z]{2,})/i.exec(match[1] ?? '')?.[1]?.toLowerCase();
  const real = addressDomain(`<${match[2] ?? ''}>`);
  if (!shown || !real || shown === real || real.endsWith(`.${shown}`)) return null;
  return symbol('FROM_NAME_OTHER_ADDRESS', 2, 'The From display name shows an address of another domain');
}

function subjectAnomaly(headers: HeaderField[]): SpamSymbol | null {
  const subject = firstField(headers, 'subject')?.raw ?? '';
  const letters = subject.replace(/[^A-Za-z]/g, '');
  if (letters.length >= 12 && letters === letters.toUpperCase()) {
    return symbol('SUBJECT_ALL_CAPS', 1, 'Subject written in capitals only');
  }
  return null;
}

export function headerAnomalies(headers: HeaderField[], now = Date.now()): SpamSymbol[] {
  const found: Array<SpamSymbol | null> = [];
  const froms = count(headers, 'from');
  if (froms === 0) found.push(symbol('MISSING_FROM', 1.5, 'No From header (RFC 5322 §3.6 requires one)'));
  if (froms > 1) found.push(symbol('MULTIPLE_FROM', 2.5, 'More than one From header'));
  const from = firstField(headers, 'from');
  if (from) found.push(fromDisguise(from));
  if (count(headers, 'message-id') === 0) found.push(symbol('MISSING_MESSAGE_ID', 0.5, 'No Message-ID header'));
  if (count(headers, 'subject') === 0) found.push(symbol('MISSING_SUBJECT', 0.5, 'No Subject header'));
  found.push(dateAnomaly(headers, now), subjectAnomaly(headers));
  return found.filter((s): s is SpamSymbol => s !== null);
}

export const contentCheck: SpamCheck = {
  name: 'content',
  async check({ headers, scanned }): Promise<SpamCheckResult> {
    const symbols = headerAnomalies(headers);
    if (!scanned) {
      symbols.push(symbol('CONTENT_NOT_SCANNED', 0, 'Larger than spam.maxScanBytes: the body was not read'));
      return { symbols };
    }
    if (scanned.includes(GTUBE, 0, 'latin1')) {
      symbols.push(symbol('GTUBE', 1000, 'The GTUBE test string: spam by definition'));
    }
    return { symbols };
  },
};
