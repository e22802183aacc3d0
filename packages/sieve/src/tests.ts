// Evaluation of Sieve tests: address, envelope, header, exists, size, allof/anyof/not, true/false (RFC 5228 §5),
// body (RFC 5173), string (RFC 5229 §5), date/currentdate and :index (RFC 5260), mailboxexists (RFC 5490 §3.1),
// duplicate (RFC 7352), hasflag (RFC 5232 §4). Values are matched against keys in match.ts.

import type { RE2JS } from 're2js';
import { type AddressPart, addressPart, headerAddresses, splitAddress } from './address.js';
import type { Argument, TestNode } from './ast.js';
import { datePart, parseMessageDate, type ZonedTime, zoneOffset } from './dates.js';
import type { Position } from './errors.js';
import type { SieveLimits } from './limits.js';
import { countMatches, type Matcher, type MatchType, matchOne, type Relation } from './match.js';
import type { SieveContext, SieveMessage } from './message.js';
import { asciiLower } from './strings.js';
import type { Scope } from './variables.js';

/** What a test may use of the running interpreter. */
export interface Runtime {
  readonly message: SieveMessage;
  readonly context: SieveContext;
  readonly limits: SieveLimits;
  readonly scope: Scope;
  tick(pos: Position): void;
  regex(key: string, caseless: boolean, pos: Position): RE2JS;
  /** Current flags of an imap4flags variable ("" for the internal one). */
  flagsOf(variable: string): string[];
  /** asciiLower, remembered for long values (a body or a long header compared under several keys). */
  fold(text: string): string;
  /** RFC 7352: has this id been seen? Records it for the caller. */
  duplicate(key: string, seconds: number): boolean;
}

const MATCH_TYPES: MatchType[] = ['is', 'contains', 'matches', 'regex', 'count', 'value'];
const ADDRESS_PARTS: AddressPart[] = ['all', 'localpart', 'domain', 'user', 'detail'];

function tagString(rt: Runtime, node: TestNode, name: string): string | null {
  const arg = node.tags?.get(name);
  return arg && arg !== true && arg.kind === 'strings' ? rt.scope.expand(arg.values[0] ?? '') : null;
}

function tagNumber(node: TestNode, name: string): number | null {
  const arg = node.tags?.get(name);
  return arg && arg !== true && arg.kind === 'number' ? arg.value : null;
}

function strings(rt: Runtime, arg: Argument | undefined): string[] {
  return arg?.kind === 'strings' ? arg.values.map((v) => rt.scope.expand(v)) : [];
}

/**
 * The matcher of each test node, worked out once per compiled script: a 50-rule list asks for it on every rule of
 * every message. The validator accepts only literal comparators and relations (no variables), so it never changes.
 */
const MATCHERS = new WeakMap<TestNode, Matcher>();

function matcherOf(rt: Runtime, node: TestNode): Matcher {
  const known = MATCHERS.get(node);
  if (known) return known;
  const type = MATCH_TYPES.find((t) => node.tags?.has(t)) ?? 'is';
  const relation = (tagString(rt, node, type) ?? 'eq').toLowerCase() as Relation;
  const comparator = (tagString(rt, node, 'comparator') ?? 'i;ascii-casemap').toLowerCase();
  const matcher: Matcher = { type, comparator, relation };
  MATCHERS.set(node, matcher);
  return matcher;
}

/** Matches values against keys; a successful :matches or :regex sets the match variables (RFC 5229 §3.2). */
function matchValues(rt: Runtime, node: TestNode, values: string[], keys: string[]): boolean {
  const matcher = matcherOf(rt, node);
  if (matcher.type === 'count') return countMatches(matcher, values.length, keys);
  if (matcher.comparator === 'i;ascii-casemap' && (matcher.type === 'is' || matcher.type === 'contains')) {
    return casemapMatch(rt, node, matcher.type, values, keys);
  }
  const caseless = matcher.comparator === 'i;ascii-casemap';
  const tick = () => rt.tick(node.pos);
  for (const value of values) {
    for (const key of keys) {
      const captured = matchOne(matcher, value, key, (k) => rt.regex(k, caseless, node.pos), tick);
      if (captured === null) continue;
      if (captured.length > 0) rt.scope.setMatches(captured);
      return true;
    }
  }
  return false;
}

/** The common case (:is or :contains under i;ascii-casemap) with each value folded once, not once per key. */
function casemapMatch(rt: Runtime, node: TestNode, type: 'is' | 'contains', values: string[], keys: string[]): boolean {
  const folded = keys.map(asciiLower);
  for (const value of values) {
    const v = rt.fold(value);
    for (const key of folded) {
      rt.tick(node.pos);
      if (type === 'is' ? v === key : v.includes(key)) return true;
    }
  }
  return false;
}

/** :index N [:last] picks one occurrence of a header field (RFC 5260 §6). */
function pickIndex<T>(node: TestNode, fields: T[]): T[] {
  const index = tagNumber(node, 'index');
  if (index === null) return fields;
  const at = node.tags?.has('last') ? fields.length - index : index - 1;
  const field = fields[at];
  return field === undefined ? [] : [field];
}

export function evaluate(rt: Runtime, node: TestNode): boolean {
  rt.tick(node.pos);
  const [first, second, third] = node.positional ?? [];
  switch (node.name) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'not':
      return !evaluate(rt, node.tests[0] as TestNode);
    case 'allof':
      return node.tests.every((t) => evaluate(rt, t));
    case 'anyof':
      return node.tests.some((t) => evaluate(rt, t));
    case 'exists':
      return strings(rt, first).every((name) => rt.message.header(name.toLowerCase()).length > 0);
    case 'size':
      return node.tags?.has('over')
        ? rt.message.size > (first as { value: number }).value
        : rt.message.size < (first as { value: number }).value;
    case 'header':
      return matchValues(rt, node, headerValues(rt, node, strings(rt, first)), strings(rt, second));
    case 'address':
      return matchValues(rt, node, addressValues(rt, node, strings(rt, first)), strings(rt, second));
    case 'envelope':
      return matchValues(rt, node, envelopeValues(rt, node, strings(rt, first)), strings(rt, second));
    case 'body':
      return matchValues(rt, node, bodyValues(rt, node), strings(rt, first));
    case 'string':
      return matchValues(rt, node, stringValues(node, strings(rt, first)), strings(rt, second));
    case 'date':
      return dateTest(rt, node, strings(rt, first)[0] ?? '', strings(rt, second)[0] ?? '', strings(rt, third));
    case 'currentdate':
      return currentDateTest(rt, node, strings(rt, first)[0] ?? '', strings(rt, second));
    case 'mailboxexists':
      return strings(rt, first).every((name) => rt.context.mailboxExists?.(name) ?? false);
    case 'duplicate':
      return duplicateTest(rt, node);
    case 'hasflag':
      return hasflagTest(rt, node);
    default:
      return false;
  }
}

function headerValues(rt: Runtime, node: TestNode, names: string[]): string[] {
  if (names.length === 1) return pickIndex(node, rt.message.header((names[0] as string).toLowerCase()));
  return names.flatMap((name) => pickIndex(node, rt.message.header(name.toLowerCase())));
}

function partOf(node: TestNode): AddressPart {
  return ADDRESS_PARTS.find((p) => node.tags?.has(p)) ?? 'all';
}

function addressValues(rt: Runtime, node: TestNode, names: string[]): string[] {
  const part = partOf(node);
  const out: string[] = [];
  for (const name of names) {
    for (const field of pickIndex(node, rt.message.rawHeader(name.toLowerCase()))) {
      for (const address of headerAddresses(field)) {
        const value = addressPart(address, part);
        if (value !== null) out.push(value);
      }
    }
  }
  return out;
}

/** RFC 5228 §5.4: "from" and "to" ("auth" when known); the null reverse-path is "" for every part. */
function envelopeValues(rt: Runtime, node: TestNode, parts: string[]): string[] {
  const part = partOf(node);
  const out: string[] = [];
  for (const name of parts.map((p) => p.toLowerCase())) {
    const address = name === 'from' || name === 'to' || name === 'auth' ? rt.context.envelope[name] : null;
    if (address === null || address === undefined) continue;
    if (address === '' || address === '<>') {
      if (part !== 'detail') out.push('');
      continue;
    }
    const value = addressPart(splitAddress(address), part);
    if (value !== null) out.push(value);
  }
  return out;
}

/**
 * RFC 5173 §5: :raw is the undecoded body; :content picks parts by MIME type (multiparts give their prologue and
 * epilogue); :text (the default) reads the text parts as plain text, HTML converted as Pigeonhole does.
 */
function bodyValues(rt: Runtime, node: TestNode): string[] {
  const cap = (text: string) => text.slice(0, rt.limits.maxBodyLength);
  if (node.tags?.has('raw')) return [cap(rt.message.rawBody())];
  const content = node.tags?.get('content');
  const types =
    content && content !== true && content.kind === 'strings'
      ? content.values.map((t) => rt.scope.expand(t).toLowerCase())
      : ['text'];
  const wanted = (type: string) =>
    types.some((t) => t === '' || t === type || (!t.includes('/') && type.startsWith(`${t}/`)));
  const parts = rt.message.bodyParts();
  if (!content || content === true) {
    return parts.flatMap((part) => (part.plainText === null ? [] : [cap(part.plainText)]));
  }
  return parts.filter((part) => wanted(part.contentType)).map((part) => cap(part.text));
}

/** RFC 5229 §5: with :count, empty strings are not counted. */
function stringValues(node: TestNode, sources: string[]): string[] {
  return node.tags?.has('count') ? sources.filter((s) => s !== '') : sources;
}

function zoneFor(rt: Runtime, node: TestNode, original: ZonedTime | null): number | null {
  const zone = tagString(rt, node, 'zone');
  if (zone !== null) return zoneOffset(zone);
  if (node.tags?.has('originalzone') && original) return original.offset;
  return zoneOffset(rt.context.zone ?? '+0000');
}

/** RFC 5260 §4: a missing or unparseable date makes the test false (with :count it counts nothing). */
function dateTest(rt: Runtime, node: TestNode, header: string, part: string, keys: string[]): boolean {
  const fields = pickIndex(node, rt.message.rawHeader(header.toLowerCase()));
  const values: string[] = [];
  for (const field of fields) {
    const text = header.toLowerCase() === 'received' ? field.slice(field.lastIndexOf(';') + 1) : field;
    const time = parseMessageDate(text);
    const offset = time ? zoneFor(rt, node, time) : null;
    const value = time && offset !== null ? datePart(time, offset, part) : null;
    if (value !== null) values.push(value);
  }
  return matchValues(rt, node, values, keys);
}

function currentDateTest(rt: Runtime, node: TestNode, part: string, keys: string[]): boolean {
  const now = rt.context.now ?? new Date();
  const offset = zoneFor(rt, node, null);
  const value = offset === null ? null : datePart({ epochMs: now.getTime(), offset: 0 }, offset, part);
  return matchValues(rt, node, value === null ? [] : [value], keys);
}

/** RFC 7352 §3: the id is Message-ID, the :header field or :uniqueid; no id means false. */
function duplicateTest(rt: Runtime, node: TestNode): boolean {
  const unique = tagString(rt, node, 'uniqueid');
  const headerName = (tagString(rt, node, 'header') ?? 'message-id').toLowerCase();
  const id = unique ?? rt.message.header(headerName)[0]?.trim();
  if (id === undefined || id === '') return false;
  const handle = tagString(rt, node, 'handle') ?? '';
  const seconds = Math.min(
    tagNumber(node, 'seconds') ?? rt.limits.defaultDuplicateSeconds,
    rt.limits.maxDuplicateSeconds,
  );
  return rt.duplicate(`${handle}\u0000${unique === null ? headerName : ':uniqueid'}\u0000${id}`, seconds);
}

/** RFC 5232 §4: the flags of the named variables (or the internal one), each compared to the keys. */
function hasflagTest(rt: Runtime, node: TestNode): boolean {
  const positional = node.positional ?? [];
  const variables = positional.length === 2 ? strings(rt, positional[0]) : [''];
  const keys = strings(rt, positional.at(-1)).flatMap((k) => k.split(' ').filter(Boolean));
  const values = variables.flatMap((v) => rt.flagsOf(v));
  return matchValues(rt, node, values, keys);
}
