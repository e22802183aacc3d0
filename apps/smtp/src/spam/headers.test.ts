import { expect, test } from 'vitest';
import { spamHeaders, withoutSpamFields } from './headers.js';

test('X-Spam-* fields that arrive are removed, folded ones included; other fields stay byte for byte', () => {
  const header = Buffer.from(
    'From: a@b.test\r\nX-Spam-Flag: NO\r\nSubject: hi\r\nx-spam-status: No,\r\n\tscore=-50\r\nTo: c@d.test\r\n\r\n',
  );
  expect(withoutSpamFields(header).toString()).toBe('From: a@b.test\r\nSubject: hi\r\nTo: c@d.test\r\n\r\n');
  const clean = Buffer.from('From: a@b.test\r\n\r\n');
  expect(withoutSpamFields(clean)).toBe(clean);
});

test('the headers of a junk verdict: flag, score, status with every test, folded under 78 characters', () => {
  const symbols = Array.from({ length: 12 }, (_, i) => ({
    name: `SOME_LONG_SYMBOL_${i}`,
    score: 0.5,
    description: '',
  }));
  const text = spamHeaders({ action: 'junk', score: 6, symbols, reason: undefined }, 5, null);
  expect(
    text.startsWith('X-Spam-Flag: YES\r\nX-Spam-Score: 6.0\r\nX-Spam-Status: Yes, score=6.0 required=5.0 tests='),
  ).toBe(true);
  for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  expect(text.replace(/\r\n\t/g, '')).toContain(
    symbols
      .map((s) => s.name)
      .sort()
      .join(','),
  );
  expect(text.endsWith('\r\n')).toBe(true);
});

test('an accepted, unscanned message says so and has no flag', () => {
  const text = spamHeaders({ action: 'accept', score: -1, symbols: [], reason: undefined }, 5, 1024);
  expect(text).toBe(
    'X-Spam-Score: -1.0\r\nX-Spam-Status: No, score=-1.0 required=5.0 tests=none\r\n' +
      'X-Spam-Checked: headers only, the message is larger than 1024 bytes\r\n',
  );
});
