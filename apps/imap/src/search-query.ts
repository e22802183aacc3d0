/**
 * IMAP SEARCH arguments (RFC 3501 §6.4.4, RFC 7162 §3.1.5 MODSEQ) to the mail store's SearchQuery tree.
 * imap-core's own search parser flattens parenthesised groups (so `OR (A B) C` lost its grouping); this one
 * keeps them: a parenthesised list is an AND node.
 */
import { InputSyntaxError, UserError } from '@mailyard/errors';
import type { SearchDateKey, SearchFlagKey, SearchQuery, SearchTextKey } from '@mailyard/mailstore';
import type { ImapAttribute } from 'wildduck/imap-core';
import { parseSequenceSet } from './sequence-set.js';

const FLAG_KEYS = new Set<string>([
  'answered',
  'deleted',
  'draft',
  'flagged',
  'seen',
  'recent',
  'new',
  'old',
  'unanswered',
  'undeleted',
  'undraft',
  'unflagged',
  'unseen',
]);
const TEXT_KEYS = new Set<string>(['bcc', 'cc', 'from', 'to', 'subject', 'body', 'text']);
const DATE_KEYS = new Set<string>(['before', 'on', 'since', 'sentbefore', 'senton', 'sentsince']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const CHARSETS = new Set(['UTF-8', 'US-ASCII']);

export interface ParsedSearch {
  query: SearchQuery;
  /** RFC 7162 §3.1.5: the reply carries (MODSEQ n) when the query used MODSEQ. */
  usesModseq: boolean;
}

type Token = { list: ImapAttribute[] } | { text: string; raw: ImapAttribute };

/** Attribute value as text: imap-core keeps strings in 'binary' encoding, so decode the UTF-8 bytes. */
export function attributeText(attr: ImapAttribute | undefined): string {
  if (!attr || typeof attr !== 'object' || Array.isArray(attr)) return typeof attr === 'string' ? attr : '';
  const value = attr.value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : Buffer.from(String(value), 'binary').toString('utf8');
}

class SearchParser {
  readonly #tokens: Token[];
  #pos = 0;
  usesModseq = false;

  constructor(attributes: ImapAttribute[]) {
    this.#tokens = attributes.map((a) => (Array.isArray(a) ? { list: a } : { text: attributeText(a), raw: a }));
  }

  parseAll(): SearchQuery {
    const keys: SearchQuery[] = [];
    while (this.#pos < this.#tokens.length) keys.push(this.#key());
    if (keys.length === 0) throw new InputSyntaxError('Missing search criteria');
    return keys.length === 1 && keys[0] ? keys[0] : { key: 'and', of: keys };
  }

  skipCharset(): void {
    const first = this.#tokens[0];
    if (!first || !('text' in first) || first.text.toUpperCase() !== 'CHARSET') return;
    const charset = this.#tokens[1];
    const name = charset && 'text' in charset ? charset.text.toUpperCase() : '';
    if (!CHARSETS.has(name))
      throw new UserError(`Unsupported charset ${name}`, { code: 'BADCHARSET (UTF-8 US-ASCII)' });
    this.#pos = 2;
  }

  #next(what: string): string {
    const token = this.#tokens[this.#pos++];
    if (!token || !('text' in token)) throw new InputSyntaxError(`Missing ${what}`);
    return token.text;
  }

  #key(): SearchQuery {
    const token = this.#tokens[this.#pos++];
    if (!token) throw new InputSyntaxError('Missing search key');
    if ('list' in token) {
      const inner = new SearchParser(token.list);
      const query = inner.parseAll();
      this.usesModseq ||= inner.usesModseq;
      return query;
    }
    return this.#named(token.text);
  }

  #named(text: string): SearchQuery {
    const key = text.toLowerCase();
    if (key === 'all') return { key: 'all' };
    if (FLAG_KEYS.has(key)) return { key: key as SearchFlagKey };
    if (TEXT_KEYS.has(key)) return { key: key as SearchTextKey, value: this.#next(text) };
    if (DATE_KEYS.has(key)) return { key: key as SearchDateKey, date: parseSearchDate(this.#next(text)) };
    if (key === 'keyword' || key === 'unkeyword') return { key, keyword: this.#next(text) };
    if (key === 'larger' || key === 'smaller') return { key, size: parseNumber(this.#next(text)) };
    if (key === 'header') return { key, field: this.#next('header name'), value: this.#next('header value') };
    if (key === 'uid') return { key, set: parseSequenceSet(this.#next('UID set')) };
    if (key === 'not') return { key, of: this.#key() };
    if (key === 'or') return { key, left: this.#key(), right: this.#key() };
    if (key === 'modseq') return this.#modseq();
    if (/^[\d*:,]+$/.test(text)) return { key: 'seq', set: parseSequenceSet(text) };
    throw new InputSyntaxError(`Unknown search key ${text.toUpperCase()}`);
  }

  /** RFC 7162 §3.1.5: MODSEQ [<entry-name> <entry-type-req>] <mod-sequence-valzer>. */
  #modseq(): SearchQuery {
    this.usesModseq = true;
    const first = this.#next('MODSEQ value');
    if (/^\d+$/.test(first)) return { key: 'modseq', modseq: parseNumber(first) };
    const type = this.#next('MODSEQ entry type').toLowerCase();
    if (type !== 'priv' && type !== 'shared' && type !== 'all') throw new InputSyntaxError('Invalid MODSEQ entry type');
    return { key: 'modseq', modseq: parseNumber(this.#next('MODSEQ value')), entry: { name: first, type } };
  }
}

function parseNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new InputSyntaxError(`Invalid number ${text}`);
  return Number(text);
}

/** RFC 3501 §9 date: 1*2DIGIT "-" date-month "-" 4DIGIT, as a UTC calendar day. */
export function parseSearchDate(text: string): Date {
  const match = /^(\d{1,2})-([a-z]{3})-(\d{4})$/i.exec(text);
  const month = match ? MONTHS.indexOf((match[2] ?? '').toLowerCase()) : -1;
  if (!match || month < 0) throw new InputSyntaxError(`Invalid date ${text}`);
  return new Date(Date.UTC(Number(match[3]), month, Number(match[1])));
}

export function parseSearch(attributes: ImapAttribute[]): ParsedSearch {
  const parser = new SearchParser(attributes);
  parser.skipCharset();
  const query = parser.parseAll();
  return { query, usesModseq: parser.usesModseq };
}
