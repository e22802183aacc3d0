import { InputSyntaxError, MailyardError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { parseCommand } from './protocol/parser.js';
import type { Token } from './protocol/types.js';
import { parseSearch } from './search-query.js';
import { parseSequenceSet, sequenceMatcher } from './sequence-set.js';

const LIMITS = { maxDepth: 64, maxKeys: 1000 };

/** The search program's tokens as the protocol parser produces them from a wire line. */
function tokens(program: string): Token[] {
  return parseCommand({ lines: [Buffer.from(`t SEARCH ${program}`, 'utf8')], literals: [] }, { maxDepth: 64 }).args;
}

const search = (program: string) => parseSearch(tokens(program), LIMITS);

describe('parseSearch', () => {
  test('implicit AND, OR of groups, NOT, dates and sizes', () => {
    const { query, usesModseq } = search('OR (FROM ann SEEN) LARGER 100 NOT SINCE 2-Mar-2026');
    expect(usesModseq).toBe(false);
    expect(query).toEqual({
      key: 'and',
      of: [
        {
          key: 'or',
          left: { key: 'and', of: [{ key: 'from', value: 'ann' }, { key: 'seen' }] },
          right: { key: 'larger', size: 100 },
        },
        { key: 'not', of: { key: 'since', date: new Date(Date.UTC(2026, 2, 2)) } },
      ],
    });
  });

  test('sequence sets, UID sets, MODSEQ with entry, CHARSET', () => {
    const { query, usesModseq } = search('CHARSET UTF-8 1:3,* UID 5 MODSEQ "/flags/\\\\draft" all 620162338');
    expect(usesModseq).toBe(true);
    expect(query).toEqual({
      key: 'and',
      of: [
        { key: 'seq', set: [{ from: 1, to: 3 }, '*'] },
        { key: 'uid', set: [5] },
        { key: 'modseq', modseq: 620162338, entry: { name: '/flags/\\draft', type: 'all' } },
      ],
    });
  });

  test('UTF-8 text in a quoted string is decoded', () => {
    expect(search('SUBJECT "Grüße"').query).toEqual({
      key: 'subject',
      value: 'Grüße',
    });
  });

  test.each(['', 'FROM', 'BEFORE yesterday', 'LARGER x', '0'])('rejects %j as a syntax error', (input) => {
    expect(() => search(input)).toThrow(InputSyntaxError);
  });

  test('5,000 NOTs and 2,000 ORs are a syntax error (BAD), not a crash (issue 12 item 8)', () => {
    expect(() => search(`${'NOT '.repeat(5000)}ALL`)).toThrow(/nested too deeply/);
    expect(() => search(`${'OR '.repeat(2000)}${'ALL '.repeat(2001)}`)).toThrow(InputSyntaxError);
    expect(() => search(`${'('.repeat(60)}ALL${')'.repeat(60)}`)).not.toThrow();
    expect(() => search(`${'ALL '.repeat(1001)}`)).toThrow(/too large/);
  });

  test('fuzz: random token lists only ever fail with classified errors', () => {
    const vocabulary = [
      'OR',
      'NOT',
      'ALL',
      'FROM',
      'x',
      '1:*',
      '0',
      '*',
      'UID',
      'MODSEQ',
      'priv',
      '5',
      'SINCE',
      '1-Jan-2020',
      'CHARSET',
      'HEADER',
      '(',
      '',
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const words = Array.from({ length: next() % 8 }, () => {
        const word = vocabulary[next() % vocabulary.length] ?? '';
        return next() % 7 === 0 ? `(${word})` : word;
      });
      try {
        search(words.join(' '));
      } catch (err) {
        expect(err).toBeInstanceOf(MailyardError);
      }
    }
  });
});

describe('sequence sets', () => {
  test('parse and match with * as the largest number', () => {
    const set = parseSequenceSet('1:3,7,9:*');
    const match = sequenceMatcher(set, 12);
    expect([1, 2, 3, 4, 7, 8, 9, 12].map(match)).toEqual([true, true, true, false, true, false, true, true]);
    expect(sequenceMatcher(parseSequenceSet('5:2'), 10)(3)).toBe(true);
  });

  test.each(['', '0', '1:0', '1,,2', 'a', '1:2:3', '-1'])('rejects %j', (text) => {
    expect(() => parseSequenceSet(text)).toThrow(InputSyntaxError);
  });
});
