// What each command and test accepts: the tagged arguments (RFC 5228 §2.6.2) with the extension each needs and
// the type of value it takes, the positional arguments, and the tests and block around it. The validator checks
// scripts against this table; an entry exists only for what the interpreter runs.

/** Positional and tag value types: a single string, a string list (a single string is a list of one), a number. */
export type ValueType = 'string' | 'strings' | 'number';

export interface TagSpec {
  /** Tags in the same group exclude each other (one match type, one address part ...). */
  group?: string;
  /** Capability the tag needs beyond the command's own. */
  ext?: string;
  /** Type of the argument that follows the tag, if it takes one. */
  value?: ValueType;
}

export interface Spec {
  ext?: string;
  tags: Record<string, TagSpec>;
  positional: ValueType[];
  /** Fewer positional arguments are accepted down to this count; the missing ones are the leading ones. */
  minPositional?: number;
  /** Tag groups that must be present (size needs :over or :under). */
  requiredGroups?: string[];
  tests?: 'one' | 'list';
  block?: boolean;
}

/** The capabilities this engine implements (RFC 5228 §3.2 require; ManageSieve advertises the same list). */
export const CAPABILITIES = [
  'fileinto',
  'reject',
  'ereject',
  'envelope',
  'encoded-character',
  'copy',
  'imap4flags',
  'body',
  'variables',
  'vacation',
  'vacation-seconds',
  'relational',
  'comparator-i;ascii-numeric',
  'comparator-i;octet',
  'comparator-i;ascii-casemap',
  'subaddress',
  'date',
  'index',
  'mailbox',
  'duplicate',
  'regex',
  'include',
] as const;

/** Capabilities that bring another one with them (RFC 6131 §2: vacation-seconds extends vacation). */
export const IMPLIED: Record<string, string[]> = { 'vacation-seconds': ['vacation'] };

const comparator: Record<string, TagSpec> = { comparator: { value: 'string' } };
/** RFC 5228 §2.7.1 match types, RFC 5231 relational, draft-ietf-sieve-regex. */
const matchType: Record<string, TagSpec> = {
  is: { group: 'match' },
  contains: { group: 'match' },
  matches: { group: 'match' },
  regex: { group: 'match', ext: 'regex' },
  count: { group: 'match', ext: 'relational', value: 'string' },
  value: { group: 'match', ext: 'relational', value: 'string' },
};
/** RFC 5228 §2.7.4 address parts, RFC 5233 subaddress. */
const addressPart: Record<string, TagSpec> = {
  all: { group: 'part' },
  localpart: { group: 'part' },
  domain: { group: 'part' },
  user: { group: 'part', ext: 'subaddress' },
  detail: { group: 'part', ext: 'subaddress' },
};
/** RFC 5260 §6 index. */
const index: Record<string, TagSpec> = { index: { ext: 'index', value: 'number' }, last: { ext: 'index' } };
const matching = { ...comparator, ...matchType };
/** RFC 5229 §4.1 modifiers, grouped by precedence: two of the same precedence cannot be combined. */
const modifiers: Record<string, TagSpec> = {
  lower: { group: 'case' },
  upper: { group: 'case' },
  lowerfirst: { group: 'first' },
  upperfirst: { group: 'first' },
  quotewildcard: { group: 'quote' },
  quoteregex: { group: 'quote', ext: 'regex' },
  length: { group: 'length' },
};
const flags: Record<string, TagSpec> = { flags: { ext: 'imap4flags', value: 'strings' } };

export const COMMANDS: Record<string, Spec> = {
  require: { tags: {}, positional: ['strings'] },
  if: { tags: {}, positional: [], tests: 'one', block: true },
  elsif: { tags: {}, positional: [], tests: 'one', block: true },
  else: { tags: {}, positional: [], block: true },
  stop: { tags: {}, positional: [] },
  keep: { tags: { ...flags }, positional: [] },
  discard: { tags: {}, positional: [] },
  redirect: { tags: { copy: { ext: 'copy' } }, positional: ['string'] },
  fileinto: {
    ext: 'fileinto',
    tags: { copy: { ext: 'copy' }, create: { ext: 'mailbox' }, ...flags },
    positional: ['string'],
  },
  reject: { ext: 'reject', tags: {}, positional: ['string'] },
  ereject: { ext: 'ereject', tags: {}, positional: ['string'] },
  vacation: {
    ext: 'vacation',
    tags: {
      days: { group: 'period', value: 'number' },
      seconds: { group: 'period', ext: 'vacation-seconds', value: 'number' },
      subject: { value: 'string' },
      from: { value: 'string' },
      addresses: { value: 'strings' },
      mime: {},
      handle: { value: 'string' },
    },
    positional: ['string'],
  },
  setflag: { ext: 'imap4flags', tags: {}, positional: ['string', 'strings'], minPositional: 1 },
  addflag: { ext: 'imap4flags', tags: {}, positional: ['string', 'strings'], minPositional: 1 },
  removeflag: { ext: 'imap4flags', tags: {}, positional: ['string', 'strings'], minPositional: 1 },
  set: { ext: 'variables', tags: modifiers, positional: ['string', 'string'] },
  include: {
    ext: 'include',
    tags: { personal: { group: 'location' }, global: { group: 'location' }, once: {}, optional: {} },
    positional: ['string'],
  },
  return: { ext: 'include', tags: {}, positional: [] },
  global: { ext: 'include', tags: {}, positional: ['strings'] },
};

export const TESTS: Record<string, Spec> = {
  address: { tags: { ...matching, ...addressPart, ...index }, positional: ['strings', 'strings'] },
  envelope: { ext: 'envelope', tags: { ...matching, ...addressPart }, positional: ['strings', 'strings'] },
  header: { tags: { ...matching, ...index }, positional: ['strings', 'strings'] },
  exists: { tags: {}, positional: ['strings'] },
  size: {
    tags: { over: { group: 'size' }, under: { group: 'size' } },
    positional: ['number'],
    requiredGroups: ['size'],
  },
  allof: { tags: {}, positional: [], tests: 'list' },
  anyof: { tags: {}, positional: [], tests: 'list' },
  not: { tags: {}, positional: [], tests: 'one' },
  true: { tags: {}, positional: [] },
  false: { tags: {}, positional: [] },
  body: {
    ext: 'body',
    tags: {
      ...matching,
      raw: { group: 'transform' },
      content: { group: 'transform', value: 'strings' },
      text: { group: 'transform' },
    },
    positional: ['strings'],
  },
  string: { ext: 'variables', tags: matching, positional: ['strings', 'strings'] },
  date: {
    ext: 'date',
    tags: { ...matching, ...index, zone: { group: 'zone', value: 'string' }, originalzone: { group: 'zone' } },
    positional: ['string', 'string', 'strings'],
  },
  currentdate: { ext: 'date', tags: { ...matching, zone: { value: 'string' } }, positional: ['string', 'strings'] },
  mailboxexists: { ext: 'mailbox', tags: {}, positional: ['strings'] },
  duplicate: {
    ext: 'duplicate',
    tags: {
      handle: { value: 'string' },
      header: { group: 'id', value: 'string' },
      uniqueid: { group: 'id', value: 'string' },
      seconds: { value: 'number' },
      last: {},
    },
    positional: [],
  },
  hasflag: { ext: 'imap4flags', tags: matching, positional: ['strings', 'strings'], minPositional: 1 },
};

/** RFC 5231 §4 relational operators. */
export const RELATIONS = new Set(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);
/** RFC 5260 §4.2 date parts. */
export const DATE_PARTS = new Set([
  'year',
  'month',
  'day',
  'date',
  'julian',
  'hour',
  'minute',
  'second',
  'time',
  'iso8601',
  'std11',
  'zone',
  'weekday',
]);
/** Comparators (RFC 4790 §9) and the capability each needs; i;octet and i;ascii-casemap need none (RFC 5228 §2.7.3). */
export const COMPARATORS: Record<string, string | null> = {
  'i;octet': null,
  'i;ascii-casemap': null,
  'i;ascii-numeric': 'comparator-i;ascii-numeric',
};
