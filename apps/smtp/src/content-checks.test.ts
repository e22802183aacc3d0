import { describe, expect, test } from 'vitest';
import { LineEndingScan } from './content-checks.js';

/** Scans `text` split at every possible point, so a CR/LF pair across two pieces is seen too. */
function scanSplit(text: string) {
  const bytes = Buffer.from(text, 'latin1');
  const results = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const scan = new LineEndingScan();
    scan.scan(bytes.subarray(0, cut));
    scan.scan(bytes.subarray(cut));
    results.push(scan.finish());
  }
  return results;
}

describe('line-ending scan (RFC 5321 §2.3.8)', () => {
  test.each([
    ['CRLF only', 'a\r\nb\r\n', { nul: false, bareLf: false, bareCr: false }],
    ['bare LF', 'a\nb\r\n', { nul: false, bareLf: true, bareCr: false }],
    ['LF first byte', '\nb\r\n', { nul: false, bareLf: true, bareCr: false }],
    ['bare CR inside a line', 'X-A: 1\rFrom: ceo@bank.test\r\n', { nul: false, bareLf: false, bareCr: true }],
    ['CR as the last byte', 'a\r\nb\r', { nul: false, bareLf: false, bareCr: true }],
    ['CR CR LF', 'a\r\r\n', { nul: false, bareLf: false, bareCr: true }],
    ['NUL', 'a\u0000b\r\n', { nul: true, bareLf: false, bareCr: false }],
  ])('%s, however the bytes are split', (_name, text, expected) => {
    for (const found of scanSplit(text)) expect(found).toEqual(expected);
  });
});
