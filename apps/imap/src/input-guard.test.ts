import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { InputGuard } from './input-guard.js';

function guarded(limits: { line?: number; append?: number } = {}) {
  const received: Buffer[] = [];
  const replies: string[] = [];
  const violations: string[] = [];
  const parser = new Writable({
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk);
      done();
    },
  });
  const guard = new InputGuard(parser, {
    maxLineBytes: limits.line ?? 100,
    maxAppendLiteralBytes: limits.append ?? 50,
    maxOtherLiteralBytes: 10,
    onViolation: (reply) => violations.push(reply),
    reply: (line) => replies.push(line),
  });
  const text = () => Buffer.concat(received).toString('latin1');
  return { guard, text, replies, violations };
}

async function feed(guard: InputGuard, ...chunks: string[]): Promise<void> {
  for (const chunk of chunks)
    await new Promise<void>((resolve) => guard.write(Buffer.from(chunk, 'latin1'), () => resolve()));
}

describe('InputGuard', () => {
  test('passes commands and literals through unchanged, split anywhere', async () => {
    const { guard, text } = guarded();
    const input = 'A1 NOOP\r\nA2 CREATE {5}\r\nab\r\nc\r\nA3 LOGOUT\r\n';
    await feed(guard, ...(input.match(/[\s\S]{1,3}/g) ?? []));
    expect(text()).toBe(input);
    expect(guard.literals).toEqual(['sync']);
  });

  test('rewrites a LITERAL+ header and records it as non-synchronizing', async () => {
    const { guard, text } = guarded();
    await feed(guard, 'A1 CREATE {3+}\r\n{9+}\r\n');
    expect(text()).toBe('A1 CREATE {3}\r\n{9+}\r\n');
    expect(guard.literals).toEqual(['nonsync']);
  });

  test('literal bytes do not count against the line limit', async () => {
    const { guard, violations } = guarded({ line: 40, append: 500 });
    await feed(guard, `A1 APPEND INBOX {200}\r\n${'x'.repeat(200)}\r\n`);
    expect(violations).toEqual([]);
  });

  test('a line over the limit is a violation and nothing more is passed on', async () => {
    const { guard, text, violations } = guarded({ line: 20 });
    await feed(guard, 'A1 NOOP\r\n', 'A2 '.padEnd(30, 'x'), '\r\nA3 NOOP\r\n');
    expect(violations).toEqual(['* BYE Command line too long']);
    expect(text()).toBe('A1 NOOP\r\n');
  });

  test('an APPEND literal over the limit is refused with the command tag', async () => {
    const { guard, text, replies } = guarded({ append: 50 });
    await feed(guard, 'T9 APPEND INBOX {51}\r\nT10 NOOP\r\n');
    expect(replies).toEqual(['T9 NO [TOOBIG] Message larger than 50 bytes']);
    expect(text()).toBe('T10 NOOP\r\n');
  });

  test('an oversized LITERAL+ literal closes the connection', async () => {
    const { guard, violations } = guarded();
    await feed(guard, 'A1 CREATE {11+}\r\n');
    expect(violations).toEqual(['* BYE [TOOBIG] Literal too large']);
  });
});
