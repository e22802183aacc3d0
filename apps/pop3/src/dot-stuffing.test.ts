import { expect, test } from 'vitest';
import { multilineBody } from './dot-stuffing.js';

const wire = (raw: string) => multilineBody(Buffer.from(raw, 'latin1')).toString('latin1');

test.each([
  ['clean CRLF message goes out unchanged', 'A: b\r\n\r\nbody\r\n', 'A: b\r\n\r\nbody\r\n.\r\n'],
  ['a missing final CRLF is added', 'A: b\r\n\r\nbody', 'A: b\r\n\r\nbody\r\n.\r\n'],
  ['leading dots are doubled', '.a\r\n..b\r\nc.\r\n.\r\n', '..a\r\n...b\r\nc.\r\n..\r\n.\r\n'],
  ['bare LF becomes CRLF', 'a\nb\r\n.c\n', 'a\r\nb\r\n..c\r\n.\r\n'],
  ['empty message', '', '\r\n.\r\n'],
  ['8-bit bytes pass through', 'caf\xe9\r\n', 'caf\xe9\r\n.\r\n'],
])('%s', (_name, raw, expected) => {
  expect(wire(raw)).toBe(expected);
});

test.each([
  ['clean', 'A: b\r\n\r\nbody\r\n'],
  ['stuffed', '.a\nb\r\n'],
])('a status line goes first in the same buffer (%s)', (_name, raw) => {
  const status = Buffer.from('+OK 9 octets\r\n', 'latin1');
  expect(multilineBody(Buffer.from(raw, 'latin1'), status).toString('latin1')).toBe(`+OK 9 octets\r\n${wire(raw)}`);
});
