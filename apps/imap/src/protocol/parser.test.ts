import { InputSyntaxError, MailyardError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { parseCommand, UntaggedSyntaxError } from './parser.js';
import type { FramedCommand } from './reader.js';
import type { Token } from './types.js';

const line = (text: string, literals: string[] = []): FramedCommand => {
  const lines = text.split('{}').map((part) => Buffer.from(part, 'latin1'));
  return { lines, literals: literals.map((l) => ({ data: Buffer.from(l), binary: false })) };
};
const parse = (text: string, literals?: string[]) => parseCommand(line(text, literals), { maxDepth: 8 });

function show(tokens: Token[]): unknown[] {
  return tokens.map((t) => (t.type === 'list' ? show(t.items) : t.type === 'atom' ? t.value : `"${t.value}"`));
}

describe('parseCommand', () => {
  test.each([
    ['a LIST "" imaptest/%', 'LIST', ['""', 'imaptest/%']],
    ['a LIST "" probe*', 'LIST', ['""', 'probe*']],
    ['a list "" !#$&\'+,-.0123456789:;<=>?@^_`|[}%*', 'LIST', ['""', "!#$&'+,-.0123456789:;<=>?@^_`|[}%*"]],
    ['a FETCH 1,* UID', 'FETCH', ['1,*', 'UID']],
    ['a SEARCH *:3', 'SEARCH', ['*:3']],
    ['a UID FETCH 1:4 (UID)', 'UID FETCH', ['1:4', ['UID']]],
    [
      'a FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.10> FLAGS)',
      'FETCH',
      ['1', ['BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.10>', 'FLAGS']],
    ],
    ['a SELECT INBOX (QRESYNC (1 2 1:10))', 'SELECT', ['INBOX', ['QRESYNC', ['1', '2', '1:10']]]],
    ['a SEARCH RETURN (MIN COUNT) $', 'SEARCH', ['RETURN', ['MIN', 'COUNT'], '$']],
    ['a CREATE "say \\"hi\\" \\\\"', 'CREATE', ['"say "hi" \\"']],
  ])('%s', (text, name, args) => {
    const parsed = parse(text);
    expect(parsed.tag).toBe('a');
    expect(parsed.name).toBe(name);
    expect(show(parsed.args)).toEqual(args);
  });

  test('literals sit where the line was split', () => {
    expect(show(parse('a LOGIN {} {}', ['me', 'pw']).args)).toEqual(['"me"', '"pw"']);
  });

  test.each([
    'a FETCH (1',
    'a FETCH 1)',
    'a CREATE "open',
    'a CREATE "bad \\x"',
    'a 123',
    `a X ${'('.repeat(9)}${')'.repeat(9)}`,
  ])('BAD for %j', (text) => {
    expect(() => parse(text)).toThrow(InputSyntaxError);
  });

  test('a line without a valid tag and command is an untagged BAD', () => {
    expect(() => parse('lonelytag')).toThrow(UntaggedSyntaxError);
    expect(() => parse('+tag NOOP')).toThrow(UntaggedSyntaxError);
  });

  test('fuzz: 20,000 random and mutated lines (seed 7) fail only with syntax errors', () => {
    const corpus = [
      'a FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.10>)',
      'b SEARCH OR (FROM "x") NOT 1:3',
      'c LIST "" "*"',
    ];
    const alphabet = ' ()[]{}<>"\\*%:,.01AZaz+~\r\t\x00\xff';
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 20_000; i++) {
      const base = corpus[next() % corpus.length] ?? '';
      const chars = [...base];
      for (let m = next() % 6; m > 0; m--)
        chars.splice(next() % (chars.length + 1), next() % 3, alphabet[next() % alphabet.length] ?? '');
      try {
        parse(chars.join(''));
      } catch (err) {
        expect(err).toBeInstanceOf(MailyardError);
      }
    }
  });
});
