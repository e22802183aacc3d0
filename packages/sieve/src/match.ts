// Comparators (RFC 4790 §9: i;octet, i;ascii-casemap, i;ascii-numeric; RFC 5228 §2.7.3) and match types (RFC 5228
// §2.7.1 :is :contains :matches, RFC 5231 :count :value, draft-ietf-sieve-regex :regex). A match returns the match
// variables it captured (RFC 5229 §3.2) or null. Every value compared costs one interpreter step.

import type { RE2JS } from 're2js';
import { regexSearch } from './regex.js';
import { asciiLower } from './strings.js';

export type MatchType = 'is' | 'contains' | 'matches' | 'regex' | 'count' | 'value';
export type Relation = 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';

export interface Matcher {
  type: MatchType;
  comparator: string;
  /** :count and :value only. */
  relation: Relation;
}

/** Folds a string for a comparator's equality (i;ascii-casemap folds ASCII letters only, RFC 4790 §9.2). */
export function fold(comparator: string, text: string): string {
  return comparator === 'i;ascii-casemap' ? asciiLower(text) : text;
}

/**
 * i;ascii-numeric (RFC 4790 §9.1): the value of the leading digits; a string that does not start with a digit is
 * positive infinity, equal only to another such string. Returns -1, 0 or 1.
 */
export function compareNumeric(a: string, b: string): number {
  const na = leadingDigits(a);
  const nb = leadingDigits(b);
  if (na === null || nb === null) return na === nb ? 0 : na === null ? 1 : -1;
  if (na.length !== nb.length) return na.length < nb.length ? -1 : 1;
  return na < nb ? -1 : na > nb ? 1 : 0;
}

function leadingDigits(text: string): string | null {
  const digits = /^[0-9]+/.exec(text)?.[0];
  if (digits === undefined) return null;
  return digits.replace(/^0+(?=.)/, '');
}

/** Ordering under a comparator, for :value (RFC 5231 §4); i;octet compares UTF-8 bytes. */
export function compareWith(comparator: string, a: string, b: string): number {
  if (comparator === 'i;ascii-numeric') return compareNumeric(a, b);
  if (comparator === 'i;ascii-casemap') return Buffer.compare(Buffer.from(asciiLower(a)), Buffer.from(asciiLower(b)));
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function relationHolds(relation: Relation, order: number): boolean {
  switch (relation) {
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    case 'eq':
      return order === 0;
    default:
      return order !== 0;
  }
}

/** :is under a comparator (i;ascii-numeric equality by value). */
export function isEqual(comparator: string, value: string, key: string): boolean {
  if (comparator === 'i;ascii-numeric') return compareNumeric(value, key) === 0;
  return fold(comparator, value) === fold(comparator, key);
}

type GlobToken = { kind: 'char'; c: string } | { kind: 'star' } | { kind: 'any' };

/** Splits a :matches key into literal characters, "*" and "?"; "\" quotes the next character (RFC 5228 §2.7.1). */
function globTokens(key: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < key.length; i++) {
    const c = key[i] as string;
    if (c === '\\' && i + 1 < key.length) tokens.push({ kind: 'char', c: key[++i] as string });
    else if (c === '*') tokens.push({ kind: 'star' });
    else if (c === '?') tokens.push({ kind: 'any' });
    else tokens.push({ kind: 'char', c });
  }
  return tokens;
}

/**
 * :matches with match variables: each "*" takes as few characters as it can, leftmost first (RFC 5229 §3.2:
 * "[*] *" on "[acme-users] [fwd] ..." gives "acme-users"). Backtracking only to the latest "*" keeps it O(n·m).
 * Returns ${0} (the whole value) and one entry per wildcard, or null. `tick` is called once per step.
 */
export function globMatch(comparator: string, value: string, key: string, tick: () => void): string[] | null {
  const tokens = globTokens(fold(comparator, key));
  const text = fold(comparator, value);
  const wildcardIndex: number[] = [];
  let count = 0;
  for (const t of tokens) wildcardIndex.push(t.kind === 'char' ? -1 : count++);
  const spans: Array<[number, number]> = Array.from({ length: count }, () => [0, 0]);
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < text.length) {
    tick();
    const t = tokens[p];
    if (t && t.kind === 'any') {
      spans[wildcardIndex[p] as number] = [s, s + 1];
      p++;
      s++;
    } else if (t && t.kind === 'char' && t.c === text[s]) {
      p++;
      s++;
    } else if (t && t.kind === 'star') {
      starP = p;
      starS = s;
      spans[wildcardIndex[p] as number] = [s, s];
      p++;
    } else if (starP >= 0) {
      starS++;
      s = starS;
      spans[wildcardIndex[starP] as number] = [(spans[wildcardIndex[starP] as number] as [number, number])[0], s];
      p = starP + 1;
    } else return null;
  }
  for (; p < tokens.length; p++) {
    if (tokens[p]?.kind !== 'star') return null;
    spans[wildcardIndex[p] as number] = [s, s];
  }
  return [value, ...spans.map(([from, to]) => value.slice(from, to))];
}

/** :contains (substring under the comparator; RFC 5228 §2.7.1: "" is contained in every string). */
export function containsMatch(comparator: string, value: string, key: string): boolean {
  return fold(comparator, value).includes(fold(comparator, key));
}

/**
 * Matches one value against one key; returns the match variables ([] when the type captures none) or null.
 * :count is handled by the caller over the whole list of values.
 */
export function matchOne(
  matcher: Matcher,
  value: string,
  key: string,
  regex: (key: string) => RE2JS,
  tick: () => void,
): string[] | null {
  tick();
  switch (matcher.type) {
    case 'is':
      return isEqual(matcher.comparator, value, key) ? [] : null;
    case 'contains':
      return containsMatch(matcher.comparator, value, key) ? [] : null;
    case 'matches':
      return globMatch(matcher.comparator, value, key, tick);
    case 'regex':
      return regexSearch(regex(key), value);
    case 'value':
      return relationHolds(matcher.relation, compareWith(matcher.comparator, value, key)) ? [] : null;
    default:
      return null;
  }
}

/** :count (RFC 5231 §4.1): the number of values, compared to each key under the comparator (scripts name
 *  i;ascii-numeric; under the default i;ascii-casemap "10" sorts before "9", as the RFC's rules give). */
export function countMatches(matcher: Matcher, count: number, keys: string[]): boolean {
  return keys.some((key) => relationHolds(matcher.relation, compareWith(matcher.comparator, String(count), key)));
}
