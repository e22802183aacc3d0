import { describe, expect, test } from 'vitest';
import { redirectedCopy, rejectReplyText } from './sieve-actions.js';
import { storableFlags } from './sieve-filter.js';

describe('storableFlags', () => {
  test('keeps system flags (any case) and atom keywords, drops what IMAP could not send back', () => {
    const flags = [
      '\\Seen',
      '\\flagged',
      '$Label1',
      'Work',
      '\\Recent',
      '\\Custom',
      'a b',
      'x(y',
      'q"z',
      'br]',
      'caf\u00e9',
    ];
    expect(storableFlags(flags)).toEqual(['\\Seen', '\\flagged', '$Label1', 'Work']);
    expect(storableFlags(['k'.repeat(65)])).toEqual([]);
  });
});

describe('rejectReplyText', () => {
  test('one line of printable ASCII, at most 200 characters, never empty', () => {
    expect(rejectReplyText('Go away.\r\nReally.')).toBe('Go away. Really.');
    expect(rejectReplyText('Gr\u00fc\u00dfe')).toBe('Gr??e');
    expect(rejectReplyText('  ')).toBe('Message rejected by the recipient');
    const long = rejectReplyText('x'.repeat(500));
    expect(long).toHaveLength(200);
    expect(long.endsWith('...')).toBe(true);
  });
});

test('a redirected copy starts with X-Sieve-Redirected-From naming the redirecting recipient', () => {
  const copy = redirectedCopy(Buffer.from('Subject: hi\r\n\r\nbody\r\n'), 'alice@hosted.test');
  expect(copy.toString()).toBe('X-Sieve-Redirected-From: alice@hosted.test\r\nSubject: hi\r\n\r\nbody\r\n');
});
