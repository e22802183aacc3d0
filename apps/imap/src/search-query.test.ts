import { InputSyntaxError, MailyardError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { parseSearch } from './search-query.js';
import { parseSequenceSet, sequenceMatcher } from './sequence-set.js';

const atom = (value: string) => ({ type: 'ATOM', value });

describe('parseSearch', () => {
  test('implicit AND, OR of groups, NOT, dates and sizes', () => {
    const { query, usesModseq } = parseSearch([
      atom('OR'),
      [atom('FROM'), atom('ann'), atom('SEEN')],
      atom('LARGER'),
      atom('100'),
      atom('NOT'),
      atom('SINCE'),
      atom('2-Mar-2026'),
    ]);
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
    const { query, usesModseq } = parseSearch([
      atom('CHARSET'),
      atom('UTF-8'),
      atom('1:3,*'),
      atom('UID'),
      atom('5'),
      atom('MODSEQ'),
      { type: 'STRING', value: '/flags/\\draft' },
      atom('all'),
      atom('620162338'),
    ]);
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

  test('UTF-8 text arrives as binary strings from imap-core and is decoded', () => {
    const binary = Buffer.from('Grüße', 'utf8').toString('binary');
    expect(parseSearch([atom('SUBJECT'), { type: 'STRING', value: binary }]).query).toEqual({
      key: 'subject',
      value: 'Grüße',
    });
  });

  test.each([
    [[]],
    [[atom('FROM')]],
    [[atom('BEFORE'), atom('yesterday')]],
    [[atom('LARGER'), atom('x')]],
    [[atom('0')]],
  ])('rejects %j as a syntax error', (input) => {
    expect(() => parseSearch(input)).toThrow(InputSyntaxError);
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
      const tokens = Array.from({ length: next() % 8 }, () => {
        const word = vocabulary[next() % vocabulary.length] ?? '';
        return next() % 7 === 0 ? [atom(word)] : atom(word);
      });
      try {
        parseSearch(tokens);
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
