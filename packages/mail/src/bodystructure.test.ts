import { describe, expect, test } from 'vitest';
import { joinContinuations } from './content-params.js';
import { crlf, NESTED_MESSAGE } from './fixtures.test-support.js';
import { indexMessageSync } from './index-message.js';

const SUB_ENVELOPE = [
  'Sun, 12 Aug 2012 12:34:56 +0300',
  'submsg',
  [[null, null, 'sub', 'domain.org']],
  [[null, null, 'sub', 'domain.org']],
  [[null, null, 'sub', 'domain.org']],
  null,
  null,
  null,
  null,
  null,
];

describe('BODY and BODYSTRUCTURE', () => {
  test('multipart/mixed holding a message/rfc822 with a multipart/alternative', () => {
    const { body, bodystructure } = indexMessageSync(NESTED_MESSAGE);
    expect(body).toEqual([
      ['text', 'x-myown', ['charset', 'us-ascii'], null, null, '7bit', 7, 1],
      [
        'message',
        'rfc822',
        null,
        null,
        null,
        '7bit',
        298,
        SUB_ENVELOPE,
        [
          ['text', 'html', null, null, null, '7bit', 20, 1],
          ['text', 'plain', null, null, null, '7bit', 21, 1],
          'alternative',
        ],
        18,
      ],
      'mixed',
    ]);
    expect(bodystructure).toEqual([
      ['text', 'x-myown', ['charset', 'us-ascii'], null, null, '7bit', 7, 1, null, null, null, null],
      [
        'message',
        'rfc822',
        null,
        null,
        null,
        '7bit',
        298,
        SUB_ENVELOPE,
        [
          ['text', 'html', null, null, null, '7bit', 20, 1, null, null, null, null],
          ['text', 'plain', null, null, null, '7bit', 21, 1, null, null, null, null],
          'alternative',
          ['boundary', 'sub1'],
          null,
          null,
          null,
        ],
        18,
        null,
        null,
        null,
        null,
      ],
      'mixed',
      ['boundary', 'foo bar'],
      null,
      null,
      null,
    ]);
  });

  test('extension data: parameters (RFC 2231 continuations joined), disposition, language, location, id, md5', () => {
    const raw = crlf(`Content-Type: multipart/mixed; boundary=b; x-extra="q v"
Content-Language: en, de
Content-Location: http://example.com/m

--b
Content-Type: application/pdf; name*=utf-8''%C3%A4.pdf
Content-Transfer-Encoding: BASE64
Content-Disposition: attachment; filename*0*=utf-8''%C3%A4; filename*1=".pdf"
Content-ID: <id@example>
Content-Description: a file
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
Content-Language: fr

AAAA
--b--
`);
    const { bodystructure } = indexMessageSync(raw);
    expect(bodystructure).toEqual([
      [
        'application',
        'pdf',
        ['name*', "utf-8''%C3%A4.pdf"],
        '<id@example>',
        'a file',
        'base64',
        4,
        'Q2hlY2sgSW50ZWdyaXR5IQ==',
        ['attachment', ['filename*', "utf-8''%C3%A4.pdf"]],
        ['fr'],
        null,
      ],
      'mixed',
      ['boundary', 'b', 'x-extra', 'q v'],
      null,
      ['en', 'de'],
      'http://example.com/m',
    ]);
  });

  test('defaults: no Content-Type is text/plain us-ascii; digest parts default to message/rfc822', () => {
    expect(indexMessageSync(crlf('Subject: x\n\nhi\n')).body).toEqual([
      'text',
      'plain',
      ['charset', 'us-ascii'],
      null,
      null,
      '7bit',
      4,
      1,
    ]);
    const digest = indexMessageSync(
      crlf('Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: in\n\nx\n--d--\n'),
    );
    const [part] = digest.body as unknown[][];
    expect(part?.slice(0, 2)).toEqual(['message', 'rfc822']);
    expect(part?.[7]).toEqual([null, 'in', null, null, null, null, null, null, null, null]);
  });

  test('line counts are LF bytes of the body; bare LF bodies are measured as stored', () => {
    const raw = Buffer.from('Content-Type: text/plain\n\none\ntwo\nthree');
    expect(indexMessageSync(raw).body).toEqual(['text', 'plain', null, null, null, '7bit', 13, 2]);
  });
});

describe('joinContinuations', () => {
  test('plain and encoded continuations, other parameters untouched', () => {
    expect(
      joinContinuations([
        ['charset', 'us-ascii'],
        ['title*1', ' world'],
        ['title*0', 'hello'],
        ['name*0*', "utf-8'en'%E2%82%AC"],
        ['name*1', ' 5%'],
        ['x*', "utf-8''a"],
      ]),
    ).toEqual([
      ['charset', 'us-ascii'],
      ['title', 'hello world'],
      ['name*', "utf-8'en'%E2%82%AC%205%25"],
      ['x*', "utf-8''a"],
    ]);
  });
});

test('a transfer-encoded message/rfc822 keeps the message form with an empty envelope and body', () => {
  const raw = crlf('Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5\n');
  expect(indexMessageSync(raw).body).toEqual([
    'message',
    'rfc822',
    null,
    null,
    null,
    'base64',
    22,
    Array(10).fill(null),
    ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 0, 0],
    1,
  ]);
});
