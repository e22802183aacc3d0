import { describe, expect, test } from 'vitest';
import { countHeaders, fromAddresses, hasBareLineFeed, hasNul, headerFields, receivedHeader } from './message.js';

const raw = (text: string) => Buffer.from(text, 'utf8');

describe('header parsing', () => {
  test('unfolds fields and stops at the blank line', () => {
    const fields = headerFields(
      raw('Subject: a\r\n  folded\r\nReceived: x\r\nReceived: y\r\n\r\nReceived: not a header\r\n'),
    );
    expect(fields).toEqual([
      { key: 'subject', value: 'a folded' },
      { key: 'received', value: 'x' },
      { key: 'received', value: 'y' },
    ]);
    expect(countHeaders(raw('Received: x\r\n\r\nReceived: body'), 'received')).toBe(1);
  });

  test('From addresses, with display names, groups and UTF-8 names', () => {
    expect(fromAddresses(raw('From: "Zoë" <Zoe@Example.TEST>, bob@b.test\r\n\r\n'))).toEqual([
      'zoe@example.test',
      'bob@b.test',
    ]);
    expect(fromAddresses(raw('To: x@y.test\r\n\r\n'))).toEqual([]);
  });
});

describe('line checks (RFC 5321 §2.3.8)', () => {
  test.each([
    ['CRLF only', 'a\r\nb\r\n', false],
    ['bare LF', 'a\nb\r\n', true],
    ['LF first byte', '\nb', true],
    ['CR without LF is not a bare LF', 'a\rb\r\n', false],
  ])('%s', (_name, text, expected) => {
    expect(hasBareLineFeed(raw(text))).toBe(expected);
  });

  test('NUL', () => {
    expect(hasNul(raw('a\u0000b'))).toBe(true);
    expect(hasNul(raw('ab'))).toBe(false);
  });
});

describe('Received header (RFC 5321 §4.4)', () => {
  test('folded, CRLF-terminated, client text cleaned', () => {
    const header = receivedHeader({
      helo: 'evil\r\nX-Injected: 1 (comment)',
      ip: '192.0.2.1',
      by: 'mx.hosted.test',
      protocol: 'ESMTPS',
      id: 'ABC',
      recipient: 'a@b.test',
      date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    });
    expect(header).toBe(
      'Received: from evil X-Injected: 1 comment ([192.0.2.1])\r\n\tby mx.hosted.test with ESMTPS id ABC\r\n' +
        '\tfor <a@b.test>;\r\n\tFri, 02 Jan 2026 03:04:05 +0000\r\n',
    );
  });
});
