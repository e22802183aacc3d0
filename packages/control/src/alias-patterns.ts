/**
 * Pattern aliases: a name with '*' wildcards (`sales*`, `*-eu`) or a regular expression between slashes
 * (`/^support-\d+$/`). Recipient resolution tries them after the exact name and the +tag base name, before the
 * catch-all '*' (routing order in docs/architecture.md).
 *
 * Invariants:
 * - Matching is linear in the length of the local part whatever the pattern: wildcards are matched segment by
 *   segment with indexOf (no backtracking across segments); regular expressions run on re2js, the JavaScript port
 *   of RE2, which has no backreferences or lookaround and never backtracks. Patterns RE2 cannot run are refused.
 * - Local parts longer than 64 octets (RFC 5321 §4.5.3.1.1) are never matched against patterns.
 * - A pattern that matches every name is refused: that is the catch-all, which has its own name '*'.
 * - The order among patterns is total (patternOrder): wildcards before regular expressions; wildcards with more
 *   literal characters first, then the longer literal prefix; then the older alias; then the smaller id.
 */
import { ValidationError } from '@mailyard/errors';
import { RE2JS } from 're2js';
import { isValidAliasName } from './addresses.js';
import type { PatternKind } from './types.js';

/** Limits of pattern aliases, each with its reason. */
export const ALIAS_PATTERN_LIMITS = {
  /** Characters between the slashes of a regular expression: enough for real rules, small RE2 programs. */
  maxRegexLength: 128,
  /** Wildcards in one name: `a*b*c*d` is already more than people write. */
  maxWildcards: 4,
  /** Pattern aliases per domain: every unmatched RCPT TO of the domain tries each of them. */
  maxPerDomain: 50,
  /** RFC 5321 §4.5.3.1.1: a local part is at most 64 octets; longer ones are tried against exact names only. */
  maxLocalLength: 64,
} as const;

/**
 * Names a regular expression must not match all of: unrelated shapes of local parts. One that matches every probe
 * is taken to match every name (a catch-all in disguise, such as `.*`, `^` or `[^@]` between slashes) and is
 * refused.
 */
const UNIVERSAL_PROBES = ['a', 'z', '0', '9x', '-', '_', 'x.y', 'info', 'postmaster', 'no-reply.2024_q1', 'zzzzzz9'];

/** A stored name classified: its kind and the form it is stored and compared in. */
export interface ClassifiedName {
  kind: PatternKind;
  name: string;
}

function isRegexName(name: string): boolean {
  return name.length >= 2 && name.startsWith('/') && name.endsWith('/');
}

/**
 * The kind of an alias name and its stored form; ValidationError (with a message for the API's 400) for a name
 * that is neither a valid exact name, a safe wildcard nor a regular expression RE2 compiles and that matches less
 * than everything. Exact names and wildcards are lowercased; a regular expression keeps its case (`\D` is not `\d`)
 * and matches case-insensitively.
 */
export function classifyAliasName(input: string): ClassifiedName {
  const trimmed = input.trim();
  if (isRegexName(trimmed)) return { kind: 'regex', name: checkedRegex(trimmed) };
  const lower = trimmed.toLowerCase();
  if (lower === '*' || !lower.includes('*')) {
    if (!isValidAliasName(lower)) throw new ValidationError(`invalid alias name: ${input}`, 'name');
    return { kind: 'exact', name: lower };
  }
  return { kind: 'wildcard', name: checkedWildcard(lower, input) };
}

function checkedWildcard(lower: string, input: string): string {
  const collapsed = lower.replace(/\*{2,}/g, '*');
  if (collapsed === '*') {
    throw new ValidationError(`${input} matches every name: that is the catch-all, name it '*'`, 'name');
  }
  const stars = collapsed.split('*').length - 1;
  if (stars > ALIAS_PATTERN_LIMITS.maxWildcards) {
    throw new ValidationError(`at most ${ALIAS_PATTERN_LIMITS.maxWildcards} wildcards in a name: ${input}`, 'name');
  }
  // Each '*' stands for at least nothing: the literal rest must still read as a local part ('*' kept as atext).
  if (!isValidAliasName(collapsed)) throw new ValidationError(`invalid alias name: ${input}`, 'name');
  return collapsed;
}

function checkedRegex(name: string): string {
  const source = name.slice(1, -1);
  if (source.length === 0) throw new ValidationError('empty regular expression', 'name');
  if (source.length > ALIAS_PATTERN_LIMITS.maxRegexLength) {
    throw new ValidationError(
      `regular expression longer than ${ALIAS_PATTERN_LIMITS.maxRegexLength} characters`,
      'name',
    );
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    // RE2 refuses what could not run in linear time (backreferences, lookaround) and oversized repeats.
    const reason = err instanceof Error ? err.message : String(err);
    throw new ValidationError(`unsupported regular expression ${name}: ${reason}`, 'name');
  }
  if (UNIVERSAL_PROBES.every((probe) => compiled.test(probe))) {
    throw new ValidationError(`${name} matches every name: that is the catch-all, name it '*'`, 'name');
  }
  return name;
}

/** A pattern alias as the router needs it. */
export interface PatternEntry {
  id: string;
  name: string;
  kind: Exclude<PatternKind, 'exact'>;
  createdAt: number;
}

type Test = (local: string) => boolean;

/** Wildcard test: the first segment is a prefix, the last a suffix, the middle ones found leftmost in order. */
function wildcardTest(pattern: string): Test {
  const segments = pattern.split('*');
  const first = segments[0] ?? '';
  const last = segments[segments.length - 1] ?? '';
  const middle = segments.slice(1, -1);
  const minimum = segments.reduce((sum, segment) => sum + segment.length, 0);
  return (local) => {
    if (local.length < minimum || !local.startsWith(first) || !local.endsWith(last)) return false;
    let at = first.length;
    const end = local.length - last.length;
    for (const segment of middle) {
      const found = local.indexOf(segment, at);
      if (found < 0 || found + segment.length > end) return false;
      at = found + segment.length;
    }
    return true;
  };
}

function regexTest(name: string): Test {
  const compiled = RE2JS.compile(name.slice(1, -1), RE2JS.CASE_INSENSITIVE);
  return (local) => compiled.test(local);
}

/** Compiled tests by kind and name; names are few per domain, so a bounded map is plenty. */
const compiledTests = new Map<string, Test>();
const MAX_COMPILED = 10_000;

/** The compiled test of a pattern (cached): true when `local` (lowercase, at most 64 octets) matches it. */
export function patternTest(entry: Pick<PatternEntry, 'kind' | 'name'>): Test {
  const key = `${entry.kind}:${entry.name}`;
  let test = compiledTests.get(key);
  if (!test) {
    if (compiledTests.size >= MAX_COMPILED) compiledTests.clear();
    test = entry.kind === 'wildcard' ? wildcardTest(entry.name) : regexTest(entry.name);
    compiledTests.set(key, test);
  }
  return test;
}

function literalCount(name: string): number {
  return name.replaceAll('*', '').length;
}

function literalPrefix(name: string): number {
  const star = name.indexOf('*');
  return star < 0 ? name.length : star;
}

/** The documented order among patterns (module comment); a total order, so resolution is deterministic. */
export function patternOrder(a: PatternEntry, b: PatternEntry): number {
  if (a.kind !== b.kind) return a.kind === 'wildcard' ? -1 : 1;
  if (a.kind === 'wildcard') {
    const byLiterals = literalCount(b.name) - literalCount(a.name);
    if (byLiterals !== 0) return byLiterals;
    const byPrefix = literalPrefix(b.name) - literalPrefix(a.name);
    if (byPrefix !== 0) return byPrefix;
  }
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The first pattern (in patternOrder) that `local` matches; null when none does or `local` is too long. */
export function firstPatternMatch<E extends PatternEntry>(entries: readonly E[], local: string): E | null {
  return firstInOrder([...entries].sort(patternOrder), local);
}

/** firstPatternMatch over entries already sorted by patternOrder (the store keeps them so). */
export function firstInOrder<E extends PatternEntry>(sorted: readonly E[], local: string): E | null {
  if (local.length === 0 || local.length > ALIAS_PATTERN_LIMITS.maxLocalLength) return null;
  const lower = local.toLowerCase();
  for (const entry of sorted) {
    if (patternTest(entry)(lower)) return entry;
  }
  return null;
}
