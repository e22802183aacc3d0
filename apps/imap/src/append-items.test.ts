import { describe, expect, test } from 'vitest';
import { parseAppendItems, parseImapUrl } from './append-items.js';
import type { Token } from './protocol/types.js';

const atom = (value: string): Token => ({ type: 'atom', value, raw: Buffer.from(value) });
const str = (value: string): Token => ({ type: 'string', value: Buffer.from(value) });
const lit = (value: string): Token => ({ type: 'literal', value: Buffer.from(value), binary: false });
const list = (...items: Token[]): Token => ({ type: 'list', items });

describe('IMAP URLs of CATENATE (RFC 5092 §6, RFC 4469 §5)', () => {
  test.each([
    ['/INBOX/;UID=20', { folder: 'INBOX', uid: 20, section: '' }],
    [
      '/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.MIME',
      { folder: 'INBOX', uidValidity: 385759045, uid: 20, section: '1.MIME' },
    ],
    ['/Caf%C3%A9/;uid=3/;section=header', { folder: 'Café', uid: 3, section: 'HEADER' }],
    ['/a/b/;uid=1/;partial=100.20', { folder: 'a/b', uid: 1, section: '', partial: { start: 100, length: 20 } }],
    ['imap://user@host/INBOX/;UID=2', { folder: 'INBOX', uid: 2, section: '' }],
  ])('%s', (url, parsed) => {
    expect(parseImapUrl(url)).toEqual(parsed);
  });

  test('URLs that name no message are rejected', () => {
    for (const url of ['/INBOX', '/;UID=1', 'INBOX/;UID=1', '/INBOX/;UID=x', '/%ZZ/;UID=1']) {
      expect(parseImapUrl(url)).toBeNull();
    }
  });
});

describe('APPEND message groups (RFC 3502, RFC 4469)', () => {
  test('flags, date and literal per message; several messages; CATENATE parts', () => {
    const items = parseAppendItems(
      [
        list(atom('\\Seen')),
        str('02-Mar-2026 10:00:00 +0100'),
        lit('one'),
        lit('two'),
        atom('CATENATE'),
        list(atom('URL'), str('/INBOX/;UID=1'), atom('TEXT'), lit('tail')),
      ],
      10,
    );
    expect(items).toEqual([
      { flags: ['\\Seen'], date: new Date('2026-03-02T09:00:00Z'), message: Buffer.from('one') },
      { flags: [], message: Buffer.from('two') },
      {
        flags: [],
        message: [
          { kind: 'url', url: '/INBOX/;UID=1' },
          { kind: 'text', bytes: Buffer.from('tail') },
        ],
      },
    ]);
  });

  test('malformed groups are BAD', () => {
    expect(() => parseAppendItems([], 10)).toThrow(/needs a message/);
    expect(() => parseAppendItems([list(atom('\\Seen'))], 10)).toThrow(/literal or CATENATE/);
    expect(() => parseAppendItems([atom('CATENATE'), list()], 10)).toThrow(/CATENATE/);
    expect(() => parseAppendItems([atom('CATENATE'), list(atom('TEXT'), str('not a literal'))], 10)).toThrow(/part/);
    expect(() => parseAppendItems([str('31-Feb-2026 10:00:00 +0000'), lit('x')], 10)).toThrow(/date-time/);
  });
});
