// The :regex match type (draft-ietf-sieve-regex-01, as Pigeonhole accepts it) on re2js, a pure JavaScript port of
// RE2: matching is linear in the input, so no pattern can blow up a run. RE2 syntax is a superset of the POSIX
// extended regular expressions the draft names for every pattern people write in practice; what RE2 refuses
// (backreferences, lookaround) is refused at validation time with the pattern's position. Pattern length is
// bounded by limits.maxRegexLength. Compiling costs far more than matching (about a millisecond for a short
// pattern), so compiled patterns are kept in a bounded process-wide cache (a compiled RE2JS is immutable).

import { RE2JS } from 're2js';

export class RegexError extends Error {}

/** Compiled patterns kept across runs; the oldest goes first once the cache is full. */
const CACHE_SIZE = 512;
const cache = new Map<string, RE2JS>();

/** Compiles a pattern; `caseless` for i;ascii-casemap (the draft's §3 comparator rule). */
export function compileRegex(pattern: string, caseless: boolean, maxLength: number): RE2JS {
  if (pattern.length > maxLength) throw new RegexError(`regex is ${pattern.length} characters, over ${maxLength}`);
  const key = `${caseless ? 'i' : 's'}${pattern}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, caseless ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    throw new RegexError(`invalid regex "${pattern}": ${(err as Error).message}`);
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, re);
  return re;
}

/** Unanchored search, as POSIX regexec; returns the whole match and the groups ("" for a group that did not take part). */
export function regexSearch(re: RE2JS, value: string): string[] | null {
  const matcher = re.matcher(value);
  if (!matcher.find()) return null;
  const groups: string[] = [];
  for (let i = 0; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? '');
  return groups;
}
