// Part numbers of nested message/rfc822 parts (RFC 3501 §6.4.5, RFC 9051 §6.4.5): the parts of an encapsulated
// message are numbered under the message/rfc822 part, the body of a non-multipart message is part 1 under it, and
// a multipart/digest's children default to message/rfc822 (RFC 2046 §5.1.5). The tree's paths and getSection must
// name the same bytes.

import { describe, expect, test } from 'vitest';
import { indexMessageSync } from './index-message.js';
import { getSection } from './section.js';
import type { MimePart } from './types.js';

function crlf(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/** Every node's path and type in tree order, encapsulated messages included. */
function paths(node: MimePart): Array<[string, string]> {
  const out: Array<[string, string]> = [[node.path, node.contentType]];
  for (const child of node.children) out.push(...paths(child));
  if (node.message) out.push(...paths(node.message));
  return out;
}

function sections(raw: Buffer): (section: string) => string | undefined {
  const { mime } = indexMessageSync(raw);
  return (section) => getSection(raw, mime, section)?.toString('latin1');
}

/** The digest both layouts below carry: one defaulted message/rfc822 part, one with its own MIME header. */
const DIGEST_HEADER = 'Subject: the digest\r\nContent-Type: multipart/digest; boundary="d"\r\n\r\n';
const D1 = 'From: one@example.com\r\nSubject: one\r\n\r\nfirst body\r\n';
const D2_MIME = 'Content-Type: message/rfc822\r\n\r\n';
const D2 = 'From: two@example.com\r\nSubject: two\r\n\r\nsecond body\r\n';
const DIGEST_BODY = `--d\r\n\r\n${D1}\r\n--d\r\n${D2_MIME}${D2}\r\n--d--\r\n`;
const DIGEST = DIGEST_HEADER + DIGEST_BODY;
const MIDDLE_HEADER = 'Subject: middle\r\nContent-Type: message/rfc822\r\n\r\n';
const MIDDLE = MIDDLE_HEADER + DIGEST;

describe('message/rfc822 → message/rfc822 → multipart/digest (the fuzz case, seed 77 input 4973)', () => {
  const TOP_HEADER = 'From: top@example.org\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n';
  const raw = Buffer.from(TOP_HEADER + MIDDLE, 'latin1');
  const get = sections(raw);

  test('the tree numbers the digest parts 1.1.1 and 1.1.2', () => {
    expect(paths(indexMessageSync(raw).mime)).toEqual([
      ['', 'message/rfc822'],
      ['1', 'message/rfc822'],
      ['1.1', 'multipart/digest'],
      ['1.1.1', 'message/rfc822'],
      ['1.1.1', 'text/plain'],
      ['1.1.2', 'message/rfc822'],
      ['1.1.2', 'text/plain'],
    ]);
  });

  test('every path in the tree reads back the body the tree gives for it', () => {
    const { mime } = indexMessageSync(raw);
    for (const [path] of paths(mime).slice(1)) expect(getSection(raw, mime, path), path).not.toBeNull();
    expect(get('1.2')).toBeUndefined();
    expect(get('1.1.3')).toBeUndefined();
    expect(get('1.1.1.2')).toBeUndefined();
  });

  test('part 1 is the top body; 1.HEADER and 1.TEXT are the middle message', () => {
    expect(get('HEADER')).toBe(TOP_HEADER);
    expect(get('TEXT')).toBe(MIDDLE);
    expect(get('1')).toBe(MIDDLE);
    expect(get('1.MIME')).toBe(TOP_HEADER);
    expect(get('1.HEADER')).toBe(MIDDLE_HEADER);
    expect(get('1.TEXT')).toBe(DIGEST);
  });

  test('part 1.1 is the middle message body: the digest message', () => {
    expect(get('1.1')).toBe(DIGEST);
    expect(get('1.1.MIME')).toBe(MIDDLE_HEADER);
    expect(get('1.1.HEADER')).toBe(DIGEST_HEADER);
    expect(get('1.1.TEXT')).toBe(DIGEST_BODY);
  });

  test('parts 1.1.1 and 1.1.2 are the digest entries, 1.1.n.1 their bodies', () => {
    expect(get('1.1.1')).toBe(D1);
    expect(get('1.1.1.MIME')).toBe('\r\n');
    expect(get('1.1.1.HEADER')).toBe('From: one@example.com\r\nSubject: one\r\n\r\n');
    expect(get('1.1.1.TEXT')).toBe('first body\r\n');
    expect(get('1.1.1.1')).toBe('first body\r\n');
    expect(get('1.1.2')).toBe(D2);
    expect(get('1.1.2.MIME')).toBe(D2_MIME);
    expect(get('1.1.2.HEADER')).toBe('From: two@example.com\r\nSubject: two\r\n\r\n');
    expect(get('1.1.2.TEXT')).toBe('second body\r\n');
    expect(get('1.1.2.1')).toBe('second body\r\n');
    expect(get('1.1.1.HEADER.FIELDS (SUBJECT)')).toBe('Subject: one\r\n\r\n');
  });
});

describe('multipart/mixed whose part 2 is message/rfc822 → message/rfc822 → multipart/digest', () => {
  const PART2_MIME = 'Content-Type: message/rfc822\r\n\r\n';
  const raw = crlf(
    'Subject: outer',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: text/plain',
    '',
    'intro',
    `--m\r\n${PART2_MIME}${MIDDLE}`,
    '--m--',
    '',
  );
  const get = sections(raw);

  test('the digest parts are 2.1.1 and 2.1.2', () => {
    expect(paths(indexMessageSync(raw).mime)).toEqual([
      ['', 'multipart/mixed'],
      ['1', 'text/plain'],
      ['2', 'message/rfc822'],
      ['2', 'message/rfc822'],
      ['2.1', 'multipart/digest'],
      ['2.1.1', 'message/rfc822'],
      ['2.1.1', 'text/plain'],
      ['2.1.2', 'message/rfc822'],
      ['2.1.2', 'text/plain'],
    ]);
  });

  test('each part number reads the bytes of that part', () => {
    expect(get('1')).toBe('intro');
    expect(get('2')).toBe(MIDDLE);
    expect(get('2.MIME')).toBe(PART2_MIME);
    expect(get('2.HEADER')).toBe(MIDDLE_HEADER);
    expect(get('2.TEXT')).toBe(DIGEST);
    expect(get('2.1')).toBe(DIGEST);
    expect(get('2.1.MIME')).toBe(MIDDLE_HEADER);
    expect(get('2.1.HEADER')).toBe(DIGEST_HEADER);
    expect(get('2.1.TEXT')).toBe(DIGEST_BODY);
    expect(get('2.1.1')).toBe(D1);
    expect(get('2.1.1.TEXT')).toBe('first body\r\n');
    expect(get('2.1.2')).toBe(D2);
    expect(get('2.1.2.MIME')).toBe(D2_MIME);
    expect(get('2.1.2.HEADER')).toBe('From: two@example.com\r\nSubject: two\r\n\r\n');
    expect(get('2.2')).toBeUndefined();
    expect(get('2.1.3')).toBeUndefined();
  });
});

describe('multipart/digest whose defaulted entry holds message/rfc822 → text/plain', () => {
  const INNER = 'From: inner@example.com\r\nSubject: inner\r\n\r\ninner body\r\n';
  const ENTRY_HEADER = 'From: entry@example.com\r\nContent-Type: message/rfc822\r\n\r\n';
  const raw = crlf(
    'Subject: digest at the top',
    'Content-Type: multipart/digest; boundary="d"',
    '',
    '--d',
    '',
    `${ENTRY_HEADER}${INNER}`,
    '--d',
    '',
    'From: plain@example.com',
    '',
    'plain entry',
    '--d--',
    '',
  );
  const get = sections(raw);

  test('entry 1 holds a message whose body is 1.1, itself a message with body 1.1.1', () => {
    expect(paths(indexMessageSync(raw).mime)).toEqual([
      ['', 'multipart/digest'],
      ['1', 'message/rfc822'],
      ['1', 'message/rfc822'],
      ['1.1', 'text/plain'],
      ['2', 'message/rfc822'],
      ['2', 'text/plain'],
    ]);
  });

  test('each part number reads the bytes of that part', () => {
    expect(get('1')).toBe(ENTRY_HEADER + INNER);
    expect(get('1.MIME')).toBe('\r\n');
    expect(get('1.HEADER')).toBe(ENTRY_HEADER);
    expect(get('1.TEXT')).toBe(INNER);
    expect(get('1.1')).toBe(INNER);
    expect(get('1.1.MIME')).toBe(ENTRY_HEADER);
    expect(get('1.1.HEADER')).toBe('From: inner@example.com\r\nSubject: inner\r\n\r\n');
    expect(get('1.1.TEXT')).toBe('inner body\r\n');
    expect(get('1.1.1')).toBe('inner body\r\n');
    expect(get('1.1.1.MIME')).toBe('From: inner@example.com\r\nSubject: inner\r\n\r\n');
    expect(get('1.1.2')).toBeUndefined();
    expect(get('2')).toBe('From: plain@example.com\r\n\r\nplain entry');
    expect(get('2.TEXT')).toBe('plain entry');
    expect(get('2.1')).toBe('plain entry');
  });
});
