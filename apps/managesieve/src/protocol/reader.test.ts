import { describe, expect, test } from 'vitest';
import { CommandReader, type ReadResult, type Token } from './reader.js';

function readAll(reader: CommandReader): ReadResult[] {
  const out: ReadResult[] = [];
  for (let r = reader.next(); r; r = reader.next()) out.push(r);
  return out;
}

function feed(input: string | Buffer, chunkSize = Number.POSITIVE_INFINITY, limits = {}): ReadResult[] {
  const reader = new CommandReader(limits);
  const bytes = Buffer.from(input);
  const out: ReadResult[] = [];
  for (let i = 0; i < bytes.length; i += Math.min(chunkSize, bytes.length)) {
    reader.push(bytes.subarray(i, i + chunkSize));
    out.push(...readAll(reader));
  }
  return out;
}

const text = (t: Token) => (t.kind === 'string' ? t.value.toString() : t.kind === 'atom' ? t.value : t.value);
const lines = (results: ReadResult[]) =>
  results.map((r) => (r.kind === 'line' ? r.tokens.map(text) : `${r.kind}${'size' in r ? `:${r.size}` : ''}`));

describe('CommandReader (RFC 5804 §4)', () => {
  const table: Array<[string, string, unknown[]]> = [
    [
      'atoms and quoted strings',
      'CAPABILITY\r\nGETSCRIPT "a \\"b\\" \\\\c"\r\n',
      [['CAPABILITY'], ['GETSCRIPT', 'a "b" \\c']],
    ],
    ['a non-synchronizing literal', 'PUTSCRIPT "s" {5+}\r\nkeep;\r\n', [['PUTSCRIPT', 's', 'keep;']]],
    ['a synchronizing literal, read at once', 'CHECKSCRIPT {7}\r\nkeep;\r\n\r\n', [['CHECKSCRIPT', 'keep;\r\n']]],
    ['a number', 'HAVESPACE "x" 1234\r\n', [['HAVESPACE', 'x', 1234]]],
    ['a bare LF ends a line', 'NOOP\n', [['NOOP']]],
    ['UTF-8 in quoted strings', 'GETSCRIPT "Älter"\r\n', [['GETSCRIPT', 'Älter']]],
    ['an empty line', '\r\nNOOP\r\n', [[], ['NOOP']]],
    ['a bad escape, then the next line', 'GETSCRIPT "a\\n"\r\nNOOP\r\n', ['bad', ['NOOP']]],
    ['a CR without LF', 'NOOP\rX\r\nNOOP\r\n', ['bad', ['NOOP']]],
    ['a malformed literal', 'PUTSCRIPT "s" {x}\r\nNOOP\r\n', ['bad', ['NOOP']]],
    ['junk after a string', 'GETSCRIPT "a"b\r\nNOOP\r\n', ['bad', ['NOOP']]],
  ];
  for (const [name, input, expected] of table) {
    test(`${name}: whole`, () => expect(lines(feed(input))).toEqual(expected));
    test(`${name}: byte by byte`, () => expect(lines(feed(input, 1))).toEqual(expected));
  }

  test('a literal over the limit is dropped with its line; a much larger one is fatal', () => {
    const limits = { maxLiteralBytes: 10, maxDiscardBytes: 100 };
    const over = `PUTSCRIPT "s" {20+}\r\n${'x'.repeat(20)}\r\nNOOP\r\n`;
    expect(lines(feed(over, Number.POSITIVE_INFINITY, limits))).toEqual(['tooLarge:20', ['NOOP']]);
    expect(lines(feed(over, 3, limits))).toEqual(['tooLarge:20', ['NOOP']]);
    expect(lines(feed('PUTSCRIPT "s" {101+}\r\n', 1, limits))).toEqual(['fatal']);
  });

  test('a line over maxLineBytes is fatal, but a large literal does not count against the line', () => {
    const limits = { maxLineBytes: 64 };
    expect(lines(feed(`NOOP ${'a'.repeat(100)}`, 7, limits))).toEqual(['fatal']);
    const script = `# ${'y'.repeat(500)}\nkeep;\n`;
    const put = `PUTSCRIPT "s" {${Buffer.byteLength(script)}+}\r\n${script}\r\n`;
    expect(lines(feed(put, 1, limits))).toEqual([['PUTSCRIPT', 's', script]]);
  });

  test('quoted strings over 1024 octets are refused (RFC 5804 §4)', () => {
    expect(lines(feed(`GETSCRIPT "${'q'.repeat(1025)}"\r\nNOOP\r\n`))).toEqual(['bad', ['NOOP']]);
    expect(lines(feed(`GETSCRIPT "${'q'.repeat(1024)}"\r\n`))[0]).toEqual(['GETSCRIPT', 'q'.repeat(1024)]);
  });

  test('pipelined commands come out one by one', () => {
    expect(lines(feed('NOOP\r\nLISTSCRIPTS\r\nPUTSCRIPT "a" {1+}\r\nx\r\nLOGOUT\r\n', 5))).toEqual([
      ['NOOP'],
      ['LISTSCRIPTS'],
      ['PUTSCRIPT', 'a', 'x'],
      ['LOGOUT'],
    ]);
  });
});
