import { describe, expect, test } from 'vitest';
import { CommandReader, type LiteralDecision, type LiteralHeader } from './reader.js';

function reader(decide: (h: LiteralHeader) => LiteralDecision = () => 'accept', maxLineBytes = 64) {
  const violations: string[] = [];
  const headers: LiteralHeader[] = [];
  const r = new CommandReader(
    { maxLineBytes, maxCommandBytes: 1000, maxLiterals: 3 },
    {
      literal: (h) => {
        headers.push(h);
        return decide(h);
      },
      violation: (text) => violations.push(text),
    },
  );
  return { r, violations, headers };
}

describe('CommandReader', () => {
  test('frames a line, then stops with the rest for later', () => {
    const { r } = reader();
    const out = r.push(Buffer.from('a NOOP\r\nb NOOP\r\n'));
    expect(out?.command.lines.map(String)).toEqual(['a NOOP']);
    expect(String(out?.rest)).toBe('b NOOP\r\n');
  });

  test('joins literals of any kind across chunks ({n}, {n+}, ~{n})', () => {
    const { r, headers } = reader();
    expect(r.push(Buffer.from('a LOGIN {3}\r\nbo'))).toBeNull();
    const out = r.push(Buffer.from('b ~{2+}\r\nxy\r\n'));
    expect(out?.command.lines.map(String)).toEqual(['a LOGIN ', ' ', '']);
    expect(out?.command.literals.map((l) => [String(l.data), l.binary])).toEqual([
      ['bob', false],
      ['xy', true],
    ]);
    expect(headers.map((h) => [h.size, h.sync, h.binary])).toEqual([
      [3, true, false],
      [2, false, true],
    ]);
  });

  test('a refused literal leaves the following bytes under the line limit (issue 12 item 1)', () => {
    const { r, violations } = reader(() => 'refuse');
    expect(r.push(Buffer.from('a1 LOGIN {999999999}\r\n'))).toBeNull();
    expect(r.midCommand).toBe(false);
    expect(r.push(Buffer.alloc(200, 'x'))).toBeNull();
    expect(violations).toEqual(['Command line too long']);
  });

  test('line, command and literal-count limits', () => {
    const long = reader(undefined, 10);
    long.r.push(Buffer.from('a NOOP and more\r\n'));
    expect(long.violations).toEqual(['Command line too long']);
    const many = reader();
    many.r.push(Buffer.from('a X {1+}\r\n1 {1+}\r\n2 {1+}\r\n3 {1+}\r\n4\r\n'));
    expect(many.violations).toEqual(['Too many literals in one command']);
    const big = reader();
    big.r.push(Buffer.from('a X {1200+}\r\n'));
    expect(big.violations).toEqual(['Command too long']);
  });

  test('a message literal is not counted against the command byte limit', () => {
    const { r, violations } = reader(() => 'accept-message');
    const out = r.push(
      Buffer.concat([Buffer.from('a APPEND INBOX {2000}\r\n'), Buffer.alloc(2000, 'm'), Buffer.from('\r\n')]),
    );
    expect(violations).toEqual([]);
    expect(out?.command.literals[0]?.data.length).toBe(2000);
  });

  test('reset() forgets buffered input (STARTTLS)', () => {
    const { r } = reader();
    r.push(Buffer.from('half a li'));
    r.reset();
    expect(String(r.push(Buffer.from('b NOOP\r\n'))?.command.lines[0])).toBe('b NOOP');
  });
});
