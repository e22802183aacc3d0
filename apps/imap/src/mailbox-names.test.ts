import { InputSyntaxError } from '@mailyard/errors';
import { expect, test } from 'vitest';
import { decodeModifiedUtf7, encodeModifiedUtf7, pathFromWire, pathToWire } from './mailbox-names.js';

test('modified UTF-7 round trip (RFC 3501 §5.1.3)', () => {
  for (const name of ['Entwürfe', 'a&b', '台北', 'Ärger/Grüße', '😀']) {
    expect(decodeModifiedUtf7(encodeModifiedUtf7(name))).toBe(name);
  }
  expect(encodeModifiedUtf7('Entwürfe')).toBe('Entw&APw-rfe');
});

test.each(['&Jjo', '&AGE-', '&-&', 'a&=-', '&2D3-'])('invalid modified UTF-7 %j is BAD', (name) => {
  expect(() => decodeModifiedUtf7(name)).toThrow(InputSyntaxError);
});

test('8-bit names only after UTF8=ACCEPT; INBOX in any case', () => {
  const utf8 = Buffer.from('Grüße', 'utf8');
  expect(() => pathFromWire(utf8, false)).toThrow(InputSyntaxError);
  expect(pathFromWire(utf8, true)).toBe('Grüße');
  expect(() => pathFromWire(Buffer.from([0x47, 0xff]), true)).toThrow(InputSyntaxError);
  expect(pathFromWire(Buffer.from('inbox/Sub'), false)).toBe('INBOX/Sub');
  expect(pathToWire('Grüße', false)).toBe('Gr&APwA3w-e');
});
