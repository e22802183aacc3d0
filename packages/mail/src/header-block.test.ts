import { describe, expect, test } from 'vitest';
import { findHeaderEnd, headerText, splitHeaderFields, unfold } from './header-block.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

function bounds(text: string) {
  const raw = bytes(text);
  return findHeaderEnd(raw, 0, raw.length);
}

describe('findHeaderEnd (RFC 5322 §2.1: the first empty line ends the header block)', () => {
  test('CRLF, bare LF and mixed blank lines', () => {
    expect(bounds('A: 1\r\nB: 2\r\n\r\nbody')).toEqual({ headerEnd: 12, bodyStart: 14 });
    expect(bounds('A: 1\nB: 2\n\nbody')).toEqual({ headerEnd: 10, bodyStart: 11 });
    expect(bounds('A: 1\r\n\nbody')).toEqual({ headerEnd: 6, bodyStart: 7 });
  });

  test('an empty header block, and a message without a blank line (all header)', () => {
    expect(bounds('\r\nbody')).toEqual({ headerEnd: 0, bodyStart: 2 });
    expect(bounds('A: 1\r\nB: 2\r\n')).toEqual({ headerEnd: 12, bodyStart: 12 });
    expect(bounds('A: 1')).toEqual({ headerEnd: 4, bodyStart: 4 });
  });

  test('a CR at the very end is not yet a blank line (a stream may be cut between CR and LF)', () => {
    expect(bounds('A: 1\r\n\r')).toEqual({ headerEnd: 7, bodyStart: 7 });
    expect(bounds('A: 1\r\n\r\n')).toEqual({ headerEnd: 6, bodyStart: 8 });
  });

  test('a bare CR inside a line is content, not a line end', () => {
    expect(bounds('A: 1\r\rB\r\n\r\nx')).toEqual({ headerEnd: 9, bodyStart: 11 });
  });

  test('searches only within [start, end)', () => {
    const raw = bytes('skip\r\n\r\nA: 1\r\n\r\nbody');
    expect(findHeaderEnd(raw, 8, raw.length)).toEqual({ headerEnd: 14, bodyStart: 16 });
    expect(findHeaderEnd(raw, 8, 14)).toEqual({ headerEnd: 14, bodyStart: 14 });
  });
});

describe('splitHeaderFields', () => {
  test('folded lines join their field; names are lowercased, values unfolded and trimmed; ranges are exact', () => {
    const text = 'Subject: one\r\n two\r\nX-Empty:\r\nTo:  a@b.test \r\n';
    const raw = bytes(text);
    const fields = splitHeaderFields(raw, 0, raw.length);
    expect(fields.map((f) => [f.name, f.raw])).toEqual([
      ['subject', 'one two'],
      ['x-empty', ''],
      ['to', 'a@b.test'],
    ]);
    expect(fields.map((f) => text.slice(f.start, f.end))).toEqual([
      'Subject: one\r\n two\r\n',
      'X-Empty:\r\n',
      'To:  a@b.test \r\n',
    ]);
  });

  test('a line without a colon is a field without a name; a leading continuation line stays one', () => {
    const raw = bytes(' stray\r\nnot a field\r\nA: 1\r\n');
    expect(splitHeaderFields(raw, 0, raw.length).map((f) => [f.name, f.raw])).toEqual([
      ['', ''],
      ['', ''],
      ['a', '1'],
    ]);
  });
});

describe('unfold and headerText', () => {
  test('unfolding removes the line break before whitespace only (RFC 5322 §2.2.3)', () => {
    expect(unfold(' a\r\n\tb\n c\r\n')).toBe('a\tb c');
  });

  test('8-bit header bytes are UTF-8 when valid (RFC 6532), else Latin-1', () => {
    expect(headerText(Buffer.from('Zoë', 'utf8').toString('latin1'))).toBe('Zoë');
    expect(headerText(Buffer.from([0x5a, 0x6f, 0xeb]).toString('latin1'))).toBe('Zoë');
    expect(headerText('plain')).toBe('plain');
  });
});
