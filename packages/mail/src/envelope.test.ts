import { describe, expect, test } from 'vitest';
import { parseAddressList } from './address-list.js';
import { crlf } from './fixtures.test-support.js';
import { indexMessageSync } from './index-message.js';

const envelopeOf = (header: string) => indexMessageSync(crlf(`${header}\n\nbody\n`)).envelope as unknown[];

describe('ENVELOPE', () => {
  test('every field, in RFC 3501 order', () => {
    const envelope = envelopeOf(`Date: Sat, 01 Feb 2007 01:02:03 +0200
Subject: subject header
From: "From Real" <fromuser@fromdomain.org>
Sender: Sender Real <senderuser@senderdomain.org>
Reply-To: ReplyTo Real <replytouser@replytodomain.org>
To: To Real <touser@todomain.org>
Cc: Cc Real <ccuser@ccdomain.org>
Bcc: Bcc Real <bccuser@bccdomain.org>
In-Reply-To: <reply@to.id>
Message-ID: <msg@id>`);
    expect(envelope).toEqual([
      'Sat, 01 Feb 2007 01:02:03 +0200',
      'subject header',
      [['From Real', null, 'fromuser', 'fromdomain.org']],
      [['Sender Real', null, 'senderuser', 'senderdomain.org']],
      [['ReplyTo Real', null, 'replytouser', 'replytodomain.org']],
      [['To Real', null, 'touser', 'todomain.org']],
      [['Cc Real', null, 'ccuser', 'ccdomain.org']],
      [['Bcc Real', null, 'bccuser', 'bccdomain.org']],
      '<reply@to.id>',
      '<msg@id>',
    ]);
  });

  test('missing fields are NIL; Sender and Reply-To default to From', () => {
    expect(envelopeOf('From: user@domain')).toEqual([
      null,
      null,
      [[null, null, 'user', 'domain']],
      [[null, null, 'user', 'domain']],
      [[null, null, 'user', 'domain']],
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(indexMessageSync(Buffer.from('\r\nno header at all\r\n')).envelope).toEqual(Array(10).fill(null));
  });

  test('groups: start and end markers, empty groups kept (RFC 3501 §7.4.2); comment as name', () => {
    const envelope = envelopeOf(`From: user@domain (Real Name)
To: group: g1@d1.org, g2@d2.org;, group2: g3@d3.org;
Cc: group:;, group2: (foo) ;`);
    expect(envelope[2]).toEqual([['Real Name', null, 'user', 'domain']]);
    expect(envelope[5]).toEqual([
      [null, null, 'group', null],
      [null, null, 'g1', 'd1.org'],
      [null, null, 'g2', 'd2.org'],
      [null, null, null, null],
      [null, null, 'group2', null],
      [null, null, 'g3', 'd3.org'],
      [null, null, null, null],
    ]);
    expect(envelope[6]).toEqual([
      [null, null, 'group', null],
      [null, null, null, null],
      [null, null, 'group2', null],
      [null, null, null, null],
    ]);
  });

  test('source route, quoted names with specials, encoded words kept for the client', () => {
    const envelope = envelopeOf(`From: <@route:user@domain>
To: "Doe, John \\"JD\\"" <john@example.com>, =?UTF-8?Q?J=C3=B6rg?= <jorg@example.de>
Subject: =?UTF-8?B?R3LDvMOfZQ==?=`);
    expect(envelope[2]).toEqual([[null, '@route', 'user', 'domain']]);
    expect(envelope[1]).toBe('=?UTF-8?B?R3LDvMOfZQ==?=');
    expect(envelope[5]).toEqual([
      ['Doe, John "JD"', null, 'john', 'example.com'],
      ['=?UTF-8?Q?J=C3=B6rg?=', null, 'jorg', 'example.de'],
    ]);
  });

  test('raw UTF-8 headers (RFC 6532) come through as text', () => {
    const raw = Buffer.from('From: Jöhn <jöhn@exämple.net>\r\nSubject: Säying\r\n\r\nx', 'utf8');
    const { envelope, subject, from } = indexMessageSync(raw);
    expect((envelope as unknown[])[1]).toBe('Säying');
    expect((envelope as unknown[])[2]).toEqual([['Jöhn', null, 'jöhn', 'exämple.net']]);
    expect(subject).toBe('Säying');
    expect(from).toBe('Jöhn <jöhn@exämple.net>');
  });
});

describe('decoded address strings for SEARCH', () => {
  test('names decoded, groups kept', () => {
    const indexed = indexMessageSync(
      crlf(`From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>
To: team: a@x.example, "B. B." <b@x.example>;
Cc: undisclosed-recipients:;

x`),
    );
    expect(indexed.from).toBe('André Pirard <PIRARD@vm1.ulg.ac.be>');
    expect(indexed.to).toBe('team: a@x.example, B. B. <b@x.example>;');
    expect(indexed.cc).toBe('undisclosed-recipients: ;');
    expect(indexed.headerText).toContain('André Pirard');
  });

  test('parseAddressList tolerates garbage', () => {
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList(',,,')).toEqual([]);
    expect(parseAddressList('<unterminated@x')).toEqual([
      { kind: 'mailbox', name: null, route: null, mailbox: 'unterminated', host: 'x' },
    ]);
    expect(parseAddressList('localpart')).toEqual([
      { kind: 'mailbox', name: null, route: null, mailbox: 'localpart', host: '' },
    ]);
    expect(parseAddressList('"unterminated quote <a@b>')).toHaveLength(1);
  });
});
