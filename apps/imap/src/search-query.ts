/**
 * IMAP SEARCH arguments (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 7162 §3.1.5 MODSEQ) to IMAP's SearchQuery tree:
 * the mail store's MessageQuery criteria plus message-number sets, which the caller resolves to UIDs against the
 * session's view before the store sees the query. A parenthesised list is an AND node. Programs are bounded: nesting (parentheses, NOT, OR)
 * at most `maxDepth` deep and at most `maxKeys` keys, else BAD (issue 12 item 8: 5,000 NOTs, 2,000 ORs).
 * Message sequence numbers are resolved against the session's view by the caller (`seq` nodes).
 */
import { InputSyntaxError, UserError } from '@mailyard/errors';
import type { MessageQuery, SearchDateKey, SearchFlagKey, SearchTextKey } from '@mailyard/mailstore';
import type { Token } from './protocol/types.js';
import { type ExtensionKeyContext, extensionSearchKey } from './search-keys.js';
import { parseSequenceSet, type SequenceSet } from './sequence-set.js';

/** An IMAP search program: the store's criteria, with sequence sets of UIDs (`uid`) or message numbers (`seq`). */
export type SearchQuery =
  | Exclude<MessageQuery, { key: 'and' | 'or' | 'not' | 'uid' }>
  | { key: 'and'; of: SearchQuery[] }
  | { key: 'or'; left: SearchQuery; right: SearchQuery }
  | { key: 'not'; of: SearchQuery }
  | { key: 'uid'; set: SequenceSet }
  /** Message sequence numbers of the session's view. */
  | { key: 'seq'; set: SequenceSet };

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

type Item = { list: Token[] } | { text: string };

export interface SearchLimits {
  maxDepth: number;
  maxKeys: number;
}

/** Shared by a program's nested parsers: how many keys were read so far, and the extension keys' context. */
interface Budget extends SearchLimits {
  keys: number;
  extensions: ExtensionKeyContext;
}

function tokenText(token: Token): string {
  if (token.type === 'atom') return token.value;
  if (token.type === 'list') return '';
  return token.value.toString('utf8');
}

class SearchParser {
  readonly #tokens: Item[];
  readonly #budget: Budget;
  readonly #depth: number;
  #pos = 0;
  usesModseq = false;

  constructor(tokens: Token[], budget: Budget, depth = 0) {
    this.#tokens = tokens.map((t) => (t.type === 'list' ? { list: t.items } : { text: tokenText(t) }));
    this.#budget = budget;
    this.#depth = depth;
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

  #key(depth = this.#depth): SearchQuery {
    const token = this.#tokens[this.#pos++];
    if (!token) throw new InputSyntaxError('Missing search key');
    if (++this.#budget.keys > this.#budget.maxKeys) throw new InputSyntaxError('Search program too large');
    if (depth >= this.#budget.maxDepth) throw new InputSyntaxError('Search program nested too deeply');
    if ('list' in token) {
      const inner = new SearchParser(token.list, this.#budget, depth + 1);
      const query = inner.parseAll();
      this.usesModseq ||= inner.usesModseq;
      return query;
    }
    return this.#named(token.text, depth);
  }

  #named(text: string, depth: number): SearchQuery {
    const key = text.toLowerCase();
    if (key === 'all') return { key: 'all' };
    if (FLAG_KEYS.has(key)) return { key: key as SearchFlagKey };
    if (TEXT_KEYS.has(key)) return { key: key as SearchTextKey, value: this.#next(text) };
    if (DATE_KEYS.has(key)) return { key: key as SearchDateKey, date: parseSearchDate(this.#next(text)) };
    if (key === 'keyword' || key === 'unkeyword') return { key, keyword: this.#next(text) };
    if (key === 'larger' || key === 'smaller') return { key, size: parseNumber(this.#next(text)) };
    if (key === 'header') return { key, field: this.#next('header name'), value: this.#next('header value') };
    if (key === 'uid') return { key, set: parseSequenceSet(this.#next('UID set')) };
    if (key === 'not') return { key, of: this.#key(depth + 1) };
    if (key === 'or') return { key, left: this.#key(depth + 1), right: this.#key(depth + 1) };
    if (key === 'modseq') return this.#modseq();
    if (/^[\d*:,]+$/.test(text)) return { key: 'seq', set: parseSequenceSet(text) };
    const extension = extensionSearchKey(key, (what) => this.#next(what), this.#budget.extensions);
    if (extension) return extension;
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

/** Parses a SEARCH program; `extensions` carries what extension keys need (SEARCHRES `$`, search-keys.ts). */
export function parseSearch(tokens: Token[], limits: SearchLimits, extensions: ExtensionKeyContext = {}): ParsedSearch {
  const parser = new SearchParser(tokens, { ...limits, keys: 0, extensions });
  parser.skipCharset();
  const query = parser.parseAll();
  return { query, usesModseq: parser.usesModseq };
}
