import { expect, test } from 'vitest';
import { imapString, internalDate, listValue, packSet } from './encode.js';

test('strings: quoted when safe, literal otherwise', () => {
  expect(imapString('say "hi" \\')).toBe('"say \\"hi\\" \\\\"');
  expect(imapString('two\r\nlines')).toBe('{10}\r\ntwo\r\nlines');
});

test('nested lists: no space between lists inside a list of lists (RFC 9051 §9 1*address, 1*body)', () => {
  expect(
    listValue([
      'date',
      null,
      [
        ['A', null, 'a', 'x.test'],
        [null, null, 'b', 'y.test'],
      ],
      5,
    ]),
  ).toBe('("date" NIL (("A" NIL "a" "x.test")(NIL NIL "b" "y.test")) 5)');
  expect(listValue([['text', 'plain'], ['text', 'html'], 'alternative'])).toBe(
    '(("text" "plain")("text" "html") "alternative")',
  );
  expect(listValue(['Grüße'])).toBe(`("${Buffer.from('Grüße').toString('latin1')}")`);
});

test('dates and sets', () => {
  expect(internalDate(new Date(Date.UTC(2026, 1, 3, 4, 5, 6)))).toBe('" 3-Feb-2026 04:05:06 +0000"');
  expect(packSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
});
