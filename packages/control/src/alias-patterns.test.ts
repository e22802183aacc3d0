import { ValidationError } from '@mailyard/errors';
import { describe, expect, it } from 'vitest';
import { classifyAliasName, firstPatternMatch, type PatternEntry, patternOrder } from './alias-patterns.js';

describe('classifyAliasName', () => {
  it.each([
    ['info', 'exact', 'info'],
    ['Info.Desk', 'exact', 'info.desk'],
    ['*', 'exact', '*'],
    ['Sales*', 'wildcard', 'sales*'],
    ['sales**', 'wildcard', 'sales*'],
    ['*-eu', 'wildcard', '*-eu'],
    ['a*b*c', 'wildcard', 'a*b*c'],
    ['/^support-\\d+$/', 'regex', '/^support-\\d+$/'],
    ['/^Billing-\\D$/', 'regex', '/^Billing-\\D$/'],
  ])('%s is %s stored as %s', (input, kind, name) => {
    expect(classifyAliasName(input)).toEqual({ kind, name });
  });

  it.each([
    ['**', /catch-all/],
    ['***', /catch-all/],
    ['a*b*c*d*e*f', /at most 4 wildcards/],
    ['sales+*', /invalid alias name/],
    ['sa les*', /invalid alias name/],
    ['//', /empty regular expression/],
    ['/(a)\\1/', /unsupported regular expression/],
    ['/(?=a)b/', /unsupported regular expression/],
    ['/(?<!a)b/', /unsupported regular expression/],
    ['/a{1001}/', /unsupported regular expression/],
    ['/((a{100}){100}){100}/', /unsupported regular expression/],
    ['/[a-/', /unsupported regular expression/],
    [`/${'a'.repeat(129)}/`, /longer than 128/],
    ['/.*/', /catch-all/],
    ['/^/', /catch-all/],
    ['/[^@]/', /catch-all/],
    ['/^.+$/', /catch-all/],
    ['/(?s).?/', /catch-all/],
  ])('%s is refused (%s)', (input, message) => {
    expect(() => classifyAliasName(input)).toThrow(ValidationError);
    expect(() => classifyAliasName(input)).toThrow(message);
  });

  it('keeps hostile but RE2-safe expressions: they run without backtracking', () => {
    expect(classifyAliasName('/^(a+)+$/').kind).toBe('regex');
    expect(classifyAliasName('/^(a|aa)+$/').kind).toBe('regex');
    expect(classifyAliasName('/^(.*a){8}$/').kind).toBe('regex');
  });
});

function entry(id: string, name: string, createdAt = 0): PatternEntry {
  const { kind } = classifyAliasName(name);
  if (kind === 'exact') throw new Error(`${name} is not a pattern`);
  return { id, name, kind, createdAt };
}

describe('firstPatternMatch', () => {
  const patterns = [
    entry('r1', '/^sales-\\d+$/', 1),
    entry('w1', 'sales*', 2),
    entry('w2', 'sales-eu-*', 3),
    entry('w3', '*-eu-*', 4),
    entry('w4', 'sales-*', 5),
    entry('w5', 'sale*s', 6),
    entry('r2', '/^support-\\d+$/', 7),
    entry('r0', '/^support-/', 8),
  ];

  it.each([
    // local part, expected alias id: wildcards before regexes, more literal characters, longer prefix, older
    ['sales', 'w1'],
    ['sales-1', 'w4'],
    ['sales-eu-1', 'w2'],
    ['x-eu-y', 'w3'],
    ['salexs', 'w5'],
    ['sales-eu', 'w4'],
    ['support-12', 'r2'],
    ['support-x', 'r0'],
    ['SUPPORT-7', 'r2'],
    ['info', null],
    ['', null],
    [`sales${'x'.repeat(60)}`, null],
  ])('%s -> %s', (local, id) => {
    expect(firstPatternMatch(patterns, local)?.id ?? null).toBe(id);
  });

  it('orders equal wildcards by age, then id', () => {
    const older = entry('b', 'team-*', 1);
    const newer = entry('a', 'team-*', 2);
    const sameAge = entry('a', 'team*x', 1);
    expect([newer, older].sort(patternOrder).map((e) => e.id)).toEqual(['b', 'a']);
    expect(firstPatternMatch([newer, older], 'team-1')?.id).toBe('b');
    expect([entry('z', 'team*y', 1), sameAge].sort(patternOrder).map((e) => e.id)).toEqual(['a', 'z']);
  });

  it('matches overlapping wildcards without reading past the suffix', () => {
    const list = [entry('p', 'ab*bc'), entry('q', 'a*a*a')];
    expect(firstPatternMatch(list, 'abc')).toBeNull();
    expect(firstPatternMatch(list, 'abbc')?.id).toBe('p');
    expect(firstPatternMatch(list, 'aa')).toBeNull();
    expect(firstPatternMatch(list, 'aaa')?.id).toBe('q');
  });

  it('answers a catastrophic pattern on a long hostile name (RE2, no backtracking)', () => {
    const hostile = [entry('h', '/^(a+)+$/'), entry('i', '/^(a|aa)+b$/')];
    // Names past 64 octets are never tried against patterns; at the limit the hostile shapes answer at once.
    expect(firstPatternMatch(hostile, `${'a'.repeat(63)}!`)).toBeNull();
    expect(firstPatternMatch(hostile, 'a'.repeat(64))?.id).toBe('h');
    expect(firstPatternMatch(hostile, `${'a'.repeat(63)}b`)?.id).toBe('i');
  });
});
