import { describe, expect, test } from 'vitest';
import type { Token } from './protocol/types.js';
import { esearchReply, orderedSet, parseReturn, savedResult } from './search-results.js';

const atom = (value: string): Token => ({ type: 'atom', value, raw: Buffer.from(value) });
const list = (...items: Token[]): Token => ({ type: 'list', items });

describe('RETURN options (RFC 4731 §3.1)', () => {
  test('split off the front; RETURN () is ALL; no RETURN leaves the arguments alone', () => {
    const parsed = parseReturn([atom('RETURN'), list(atom('min'), atom('COUNT')), atom('UNSEEN')]);
    expect([...(parsed.options ?? [])]).toEqual(['MIN', 'COUNT']);
    expect(parsed.rest).toEqual([atom('UNSEEN')]);
    expect([...(parseReturn([atom('RETURN'), list(), atom('ALL')]).options ?? [])]).toEqual(['ALL']);
    expect(parseReturn([atom('ALL')])).toEqual({ options: null, rest: [atom('ALL')] });
  });

  test('an unknown option or a missing list is BAD', () => {
    expect(() => parseReturn([atom('RETURN'), list(atom('PARTIAL'))])).toThrow(/PARTIAL/);
    expect(() => parseReturn([atom('RETURN'), atom('ALL')])).toThrow(/list/);
  });
});

describe('ESEARCH reply (RFC 4731 §3.1, RFC 5267 §3.2)', () => {
  const opts = (...names: string[]) => parseReturn([atom('RETURN'), list(...names.map(atom))]).options ?? new Set();

  test('RFC 4731 examples: MIN COUNT, and ALL as a sequence set', () => {
    expect(esearchReply({ tag: 'A282', uid: false, options: opts('MIN', 'COUNT'), numbers: [2, 10, 11] })).toBe(
      'ESEARCH (TAG "A282") MIN 2 COUNT 3',
    );
    expect(
      esearchReply({ tag: 'A283', uid: true, options: opts('ALL'), numbers: [4, 5, 6, 7, 11, 12, 18, 19, 20, 23] }),
    ).toBe('ESEARCH (TAG "A283") UID ALL 4:7,11:12,18:20,23');
  });

  test('an empty result reports only COUNT 0; SAVE alone sends no ESEARCH', () => {
    expect(esearchReply({ tag: 'a', uid: false, options: opts('MIN', 'MAX', 'ALL', 'COUNT'), numbers: [] })).toBe(
      'ESEARCH (TAG "a") COUNT 0',
    );
    expect(esearchReply({ tag: 'a', uid: false, options: opts('SAVE'), numbers: [1] })).toBeNull();
    expect(esearchReply({ tag: 'a', uid: false, options: opts('SAVE', 'MIN'), numbers: [3, 1] })).toBe(
      'ESEARCH (TAG "a") MIN 1',
    );
  });

  test('ESORT: MIN/MAX are the first and last in sort order and ALL keeps the order', () => {
    expect(
      esearchReply({ tag: 't', uid: true, options: opts('MIN', 'MAX', 'ALL'), numbers: [9, 3, 4, 5, 1], sorted: true }),
    ).toBe('ESEARCH (TAG "t") UID MIN 9 MAX 1 ALL 9,3:5,1');
    expect(orderedSet([5, 4, 3])).toBe('5,4,3');
  });

  test('MODSEQ is added when the program used MODSEQ and something matched (RFC 7162 §3.1.5)', () => {
    expect(esearchReply({ tag: 'm', uid: false, options: opts('ALL'), numbers: [1, 2], modseq: 917 })).toBe(
      'ESEARCH (TAG "m") ALL 1:2 MODSEQ 917',
    );
  });
});

describe('SEARCHRES saved result (RFC 5182 §2.1)', () => {
  const opts = (...names: string[]) => parseReturn([atom('RETURN'), list(...names.map(atom))]).options ?? new Set();
  test('every match, or only MIN/MAX when they are asked without ALL or COUNT', () => {
    expect(savedResult(opts('SAVE'), [3, 5, 9])).toEqual([3, 5, 9]);
    expect(savedResult(opts('SAVE', 'MIN'), [3, 5, 9])).toEqual([3]);
    expect(savedResult(opts('SAVE', 'MIN', 'MAX'), [3, 5, 9])).toEqual([3, 9]);
    expect(savedResult(opts('SAVE', 'MAX', 'COUNT'), [3, 5, 9])).toEqual([3, 5, 9]);
    expect(savedResult(opts('SAVE', 'MIN'), [9, 3, 5], true)).toEqual([9]);
    expect(savedResult(opts('SAVE', 'MAX'), [])).toEqual([]);
  });
});

describe('CONTEXT return options (RFC 5267 §4.1, §4.4)', () => {
  test('UPDATE and CONTEXT are accepted; PARTIAL takes a range, reversed ranges are the same range', () => {
    const parsed = parseReturn([atom('RETURN'), list(atom('CONTEXT'), atom('update'), atom('PARTIAL'), atom('5:2'))]);
    expect([...(parsed.options ?? [])]).toEqual(['UPDATE', 'PARTIAL']);
    expect(parsed.partial).toEqual({ low: 2, high: 5 });
    expect([...(parseReturn([atom('RETURN'), list(atom('CONTEXT'))]).options ?? [])]).toEqual(['ALL']);
  });

  test.each([['1'], ['1:*'], ['*:1'], ['0:3']])('PARTIAL %s is BAD', (range) => {
    expect(() => parseReturn([atom('RETURN'), list(atom('PARTIAL'), atom(range))])).toThrow(/PARTIAL/);
  });

  test('PARTIAL with ALL, and UPDATE twice, are BAD', () => {
    expect(() => parseReturn([atom('RETURN'), list(atom('PARTIAL'), atom('1:2'), atom('ALL'))])).toThrow(/ALL/);
    expect(() => parseReturn([atom('RETURN'), list(atom('UPDATE'), atom('UPDATE'))])).toThrow(/twice/);
  });

  test('the PARTIAL reply: the positions asked, the numbers there in result order, or NIL', () => {
    const options = parseReturn([atom('RETURN'), list(atom('PARTIAL'), atom('2:3'), atom('COUNT'))]);
    const reply = (numbers: number[], sorted = false) =>
      esearchReply({
        tag: 'T',
        uid: false,
        options: options.options ?? new Set(),
        numbers,
        sorted,
        ...(options.partial ? { partial: options.partial } : {}),
      });
    expect(reply([4, 7, 9, 12])).toBe('ESEARCH (TAG "T") PARTIAL (2:3 7,9) COUNT 4');
    expect(reply([9, 8, 7], true)).toBe('ESEARCH (TAG "T") PARTIAL (2:3 8,7) COUNT 3');
    expect(reply([1])).toBe('ESEARCH (TAG "T") PARTIAL (2:3 NIL) COUNT 1');
  });
});
