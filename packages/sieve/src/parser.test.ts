import { describe, expect, test } from 'vitest';
import { SieveSyntaxError } from './errors.js';
import { parseScript } from './parser.js';

function errorOf(script: string): string {
  try {
    parseScript(script);
  } catch (err) {
    if (err instanceof SieveSyntaxError) return `${err.line}:${err.column} ${err.reason}`;
    throw err;
  }
  return 'no error';
}

describe('parser: valid scripts (RFC 5228 §8 grammar)', () => {
  test('commands, tests, string lists, numbers with quantifiers, blocks and comments', () => {
    const tree = parseScript(
      [
        '# a hash comment',
        'require ["fileinto", "envelope"]; /* a bracket',
        '   comment */',
        'if anyof (size :over 100K, header :contains ["subject", "x"] "a\\"b\\\\c\\d") {',
        '  fileinto "Big"; stop;',
        '} elsif not exists "to" { discard; } else { keep; }',
      ].join('\r\n'),
    );
    expect(tree.commands.map((c) => c.name)).toEqual(['require', 'if', 'elsif', 'else']);
    const anyof = tree.commands[1]?.tests[0];
    expect(anyof?.testList).toBe(true);
    expect(anyof?.tests[0]?.args).toMatchObject([
      { kind: 'tag', name: 'over' },
      { kind: 'number', value: 102400 },
    ]);
    expect(anyof?.tests[1]?.args[2]).toMatchObject({ kind: 'strings', values: ['a"b\\cd'], list: false });
    expect(tree.commands[1]?.block?.map((c) => c.name)).toEqual(['fileinto', 'stop']);
  });

  test.each([
    ['1K', 1024],
    ['2m', 2 * 1024 ** 2],
    ['3G', 3 * 1024 ** 3],
    ['0', 0],
  ])('number %s is %d', (text, value) => {
    expect(parseScript(`if size :over ${text} { keep; }`).commands[0]?.tests[0]?.args[1]).toMatchObject({ value });
  });

  test('multi-line strings: dot-stuffing, hash comment after text:, CRLF and LF line ends', () => {
    const script = 'vacation text: # reason\r\nline one\r\n..dot\r\n.\r\n;\nreject text:\nA\n.\n;';
    const tree = parseScript(script);
    expect(tree.commands[0]?.args[0]).toMatchObject({ values: ['line one\r\n.dot\r\n'] });
    expect(tree.commands[1]?.args[0]).toMatchObject({ values: ['A\n'] });
  });

  test('identifiers and tags are case-insensitive', () => {
    const tree = parseScript('IF Header :CONTAINS "a" "b" { Keep; }');
    expect(tree.commands[0]?.name).toBe('if');
    expect(tree.commands[0]?.tests[0]).toMatchObject({ name: 'header' });
    expect(tree.commands[0]?.tests[0]?.args[0]).toMatchObject({ kind: 'tag', name: 'contains' });
  });
});

describe('parser: every syntax error has its line and column', () => {
  test.each([
    ['keep', '1:5 expected ";" or "{" after command "keep", found end of script'],
    ['keep;\n  discard', '2:10 expected ";" or "{" after command "discard", found end of script'],
    ['if true { keep;', '1:16 expected "}" to close the block, found end of script'],
    ['keep; }', '1:7 unexpected "}"'],
    ['fileinto "abc;', '1:10 unterminated string'],
    ['reject text:\nno end\n', '1:8 unterminated multi-line string (no line with a single ".")'],
    ['reject text: x\n.\n;', '1:14 expected a line end after "text:"'],
    ['/* open comment\nkeep;', '1:1 unterminated comment'],
    ['keep;\n@', "2:1 unexpected character '@'"],
    ['if size :over 10X { }', '1:15 invalid number'],
    ['if size :over 99999999999G { }', '1:15 number too large'],
    ['if header : "a" "b" {}', '1:12 expected a tag name after ":"'],
    ['if header ["a" "b"] "c" {}', '1:16 expected "," or "]" in the string list, found a string'],
    ['if header [] "c" {}', '1:12 expected a string in the list, found "]"'],
    ['if anyof (true; false) {}', '1:15 expected "," or ")" in the test list, found ";"'],
    ['if anyof () {}', '1:11 expected a test, found ")"'],
    ['keep ,', '1:6 expected ";" or "{" after command "keep", found ","'],
    ['"string";', '1:1 unexpected a string'],
  ])('%j → %s', (script, expected) => {
    expect(errorOf(script)).toBe(expected);
  });

  test('nesting deeper than the limit is refused', () => {
    const deep = `${'if true {'.repeat(40)}${'}'.repeat(40)}`;
    expect(errorOf(deep)).toMatch(/nesting deeper than 32 levels/);
    expect(() => parseScript(deep, { maxScriptBytes: 1 << 20, maxNestingDepth: 64 })).not.toThrow();
  });

  test('a script over the size limit is refused before parsing', () => {
    const big = `# ${'x'.repeat(70 * 1024)}\nkeep;`;
    expect(errorOf(big)).toMatch(/^1:1 script is \d+ bytes, over the limit of 65536/);
  });

  test('the error message carries the position for protocols that show only the message', () => {
    expect(() => parseScript('keep')).toThrow('line 1, column 5: expected ";"');
  });
});
