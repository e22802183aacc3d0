import { describe, expect, test } from 'vitest';
import { addressesIn, headerBlock, headerFields, receivedHeader } from './message.js';

const raw = (text: string) => Buffer.from(text, 'utf8');

describe('header parsing (through @mailyard/mail)', () => {
  test('unfolds fields and stops at the blank line', () => {
    const fields = headerFields(
      raw('Subject: a\r\n  folded\r\nReceived: x\r\nReceived: y\r\n\r\nReceived: not a header\r\n'),
    );
    expect(fields.map((f) => [f.name, f.raw])).toEqual([
      ['subject', 'a  folded'],
      ['received', 'x'],
      ['received', 'y'],
    ]);
  });

  test('the header block for a bounce: up to the blank line, or the whole message without one', () => {
    expect(headerBlock(raw('A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore'))).toBe('A: 1\r\nB: 2\r\n');
    expect(headerBlock(raw('A: 1\r\n'))).toBe('A: 1\r\n');
    expect(headerBlock(raw('\r\nbody\r\n\r\n'))).toBe('');
  });

  test('addresses of identity fields, with display names, groups and UTF-8 names, as written', () => {
    const header = raw('From: "Zoë" <Zoe@Example.TEST>, bob@b.test\r\nSender: x:a@c.test;\r\nTo: t@y.test\r\n\r\n');
    expect(addressesIn(header, ['from', 'sender'])).toEqual([
      { local: 'Zoe', domain: 'Example.TEST' },
      { local: 'bob', domain: 'b.test' },
      { local: 'a', domain: 'c.test' },
    ]);
    expect(addressesIn(raw('To: x@y.test\r\n\r\n'), ['from'])).toEqual([]);
    expect(addressesIn(raw('From: undisclosed:;\r\n\r\n'), ['from'])).toEqual([{ local: '', domain: '' }]);
    expect(addressesIn(raw('From: ceo@bank.test@example.test\r\n\r\n'), ['from'])).toEqual([
      { local: 'ceo@bank.test', domain: 'example.test' },
    ]);
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
