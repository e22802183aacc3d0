import { expect, test } from 'vitest';
import { response, sieveString } from './writer.js';

test('strings are quoted when they can be and literals otherwise (RFC 5804 §4)', () => {
  expect(sieveString('plain')).toBe('"plain"');
  expect(sieveString('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
  expect(sieveString('Älter')).toBe('"Älter"');
  expect(sieveString('two\r\nlines')).toBe('{10}\r\ntwo\r\nlines');
  expect(sieveString('x'.repeat(1025))).toBe(`{1025}\r\n${'x'.repeat(1025)}`);
});

test('responses carry an optional code and a single-line text', () => {
  expect(response('OK')).toBe('OK\r\n');
  expect(response('NO', 'Too big', 'QUOTA/MAXSIZE')).toBe('NO (QUOTA/MAXSIZE) "Too big"\r\n');
  expect(response('BYE', 'bad\r\nthing')).toBe('BYE "bad thing"\r\n');
  expect(response('OK', 'Done', 'TAG "t1"')).toBe('OK (TAG "t1") "Done"\r\n');
});
