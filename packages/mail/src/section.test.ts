// BODY[section] against the sizes and bytes Dovecot returns for imaptest's fetch-binary-mime and
// fetch-body-message-rfc822-mime messages (imaptest converts its mbox to CRLF before APPEND, as we do here).

import { describe, expect, test } from 'vitest';
import { DIGEST_MESSAGE, NESTED_MESSAGE } from './fixtures.test-support.js';
import { indexMessageSync } from './index-message.js';
import { getSection, parseSectionSpec } from './section.js';

function text(raw: Buffer, section: string): string | undefined {
  const { mime } = indexMessageSync(raw);
  return getSection(raw, mime, section)?.toString('latin1');
}

function size(raw: Buffer, section: string): number | undefined {
  const { mime } = indexMessageSync(raw);
  return getSection(raw, mime, section)?.length;
}

describe('getSection on a multipart with an encapsulated multipart message', () => {
  test.each([
    ['', 602],
    ['TEXT', 466],
    ['1', 7],
    ['1.MIME', 48],
    ['2', 298],
    ['2.MIME', 32],
    ['2.HEADER', 134],
    ['2.HEADER.FIELDS (from subject x-foo)', 41],
    ['2.HEADER.FIELDS.NOT (from subject x-foo)', 95],
    ['2.TEXT', 164],
    ['2.1.MIME', 27],
    ['2.1', 20],
    ['2.2.MIME', 28],
    ['2.2', 21],
  ])('BODY[%s] is %i bytes', (section, bytes) => {
    expect(size(NESTED_MESSAGE, section)).toBe(bytes);
  });

  test('returns the exact bytes', () => {
    expect(text(NESTED_MESSAGE, '1')).toBe('hello\r\n');
    expect(text(NESTED_MESSAGE, '1.MIME')).toBe('Content-Type: text/x-myown; charset=us-ascii\r\n\r\n');
    expect(text(NESTED_MESSAGE, '2.HEADER.FIELDS (FROM SUBJECT X-FOO)')).toBe(
      'From: sub@domain.org\r\nSubject: submsg\r\n\r\n',
    );
    expect(text(NESTED_MESSAGE, '2.header.fields.not (From Subject X-foo)')).toBe(
      'Date: Sun, 12 Aug 2012 12:34:56 +0300\r\nContent-Type: multipart/alternative; boundary="sub1"\r\n\r\n',
    );
    expect(text(NESTED_MESSAGE, '2.1')).toBe('<p>Hello world</p>\r\n');
    expect(text(NESTED_MESSAGE, '2.2')).toBe('Hello another world\r\n');
    expect(text(NESTED_MESSAGE, 'HEADER.FIELDS (DATE)')).toBe('Date: Sat, 24 Mar 2007 23:00:00 +0200\r\n\r\n');
    expect(text(NESTED_MESSAGE, 'HEADER.FIELDS (CONTENT-TYPE)')).toBe(
      'Content-Type: multipart/mixed; boundary="foo\r\n bar"\r\n\r\n',
    );
  });

  test('returns null for parts and forms that do not exist', () => {
    expect(text(NESTED_MESSAGE, '3')).toBeUndefined();
    expect(text(NESTED_MESSAGE, '2.3')).toBeUndefined();
    expect(text(NESTED_MESSAGE, '1.1')).toBeUndefined();
    expect(text(NESTED_MESSAGE, '1.HEADER')).toBeUndefined();
    expect(text(NESTED_MESSAGE, 'MIME')).toBeUndefined();
    expect(text(NESTED_MESSAGE, '0')).toBeUndefined();
    expect(text(NESTED_MESSAGE, 'BOGUS')).toBeUndefined();
  });
});

describe('getSection on a message/rfc822 message holding a digest with padded boundaries', () => {
  test('part 1 is the encapsulated message, 1.n its digest parts', () => {
    expect(text(DIGEST_MESSAGE, '1')).toBe(text(DIGEST_MESSAGE, 'TEXT'));
    expect(text(DIGEST_MESSAGE, '1.HEADER')).toBe(
      'From: sub@domain.org\r\nDate: Sun, 12 Aug 2012 12:34:56 +0300\r\nSubject: submsg\r\n' +
        'Content-Type: multipart/digest; boundary="foo"\r\n\r\n',
    );
    expect(text(DIGEST_MESSAGE, '1.TEXT')?.startsWith('prologue\r\n\r\n--foo \r\n')).toBe(true);
    expect(text(DIGEST_MESSAGE, '1.1')).toBe('From: m1@example.com\r\nSubject: m1\r\n\r\nm1 body\r\n');
    expect(text(DIGEST_MESSAGE, '1.1.MIME')).toBe('\r\n');
    expect(text(DIGEST_MESSAGE, '1.1.HEADER')).toBe('From: m1@example.com\r\nSubject: m1\r\n\r\n');
    expect(text(DIGEST_MESSAGE, '1.1.TEXT')).toBe('m1 body\r\n');
    expect(text(DIGEST_MESSAGE, '1.2.MIME')).toBe('X-Mime: m2 header\r\n\r\n');
    expect(text(DIGEST_MESSAGE, '1.2.HEADER')).toBe('From: m2@example.com\r\nSubject: m2\r\n\r\n');
    expect(text(DIGEST_MESSAGE, '1.2.TEXT')).toBe('m2 body\r\n');
    expect(text(DIGEST_MESSAGE, '1.2.1')).toBe('m2 body\r\n');
  });
});

describe('getSection on a single-part message', () => {
  const raw = Buffer.from('Subject: hi\nFrom: a@b.example\n\nline one\nline two\n');

  test('part 1 is the body; offsets are into bare-LF bytes as given', () => {
    expect(text(raw, '1')).toBe('line one\nline two\n');
    expect(text(raw, 'TEXT')).toBe('line one\nline two\n');
    expect(text(raw, 'HEADER')).toBe('Subject: hi\nFrom: a@b.example\n\n');
    expect(text(raw, 'HEADER.FIELDS (FROM)')).toBe('From: a@b.example\n\n');
    expect(text(raw, '1.MIME')).toBe('Subject: hi\nFrom: a@b.example\n\n');
    expect(text(raw, '2')).toBeUndefined();
  });

  test('a message without a blank line is all header', () => {
    const noBody = Buffer.from('Subject: only a header\r\nX-A: b');
    expect(text(noBody, 'HEADER')).toBe('Subject: only a header\r\nX-A: b');
    expect(text(noBody, 'TEXT')).toBe('');
    expect(text(noBody, 'HEADER.FIELDS (X-A)')).toBe('X-A: b\r\n\r\n');
  });
});

describe('parseSectionSpec', () => {
  test.each([
    ['', { part: [], kind: 'all', fields: [] }],
    ['HEADER', { part: [], kind: 'HEADER', fields: [] }],
    ['text', { part: [], kind: 'TEXT', fields: [] }],
    ['1.2.3', { part: [1, 2, 3], kind: 'all', fields: [] }],
    ['4.MIME', { part: [4], kind: 'MIME', fields: [] }],
    ['2.HEADER.FIELDS (FROM "TO")', { part: [2], kind: 'HEADER.FIELDS', fields: ['FROM', 'TO'] }],
    ['HEADER.FIELDS.NOT (X-A X-B)', { part: [], kind: 'HEADER.FIELDS.NOT', fields: ['X-A', 'X-B'] }],
  ])('%s', (section, spec) => {
    expect(parseSectionSpec(section)).toEqual(spec);
  });

  test.each(['MIME', '0', '1.0', '1..2', 'HEADER.FIELDS ()', 'HEADER.FIELDS', 'FOO', '1.FOO'])('%s is invalid', (s) => {
    expect(parseSectionSpec(s)).toBeNull();
  });
});
