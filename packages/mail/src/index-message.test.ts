import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { crlf } from './fixtures.test-support.js';
import { ATTACHMENT_MIN_BYTES, indexMessage, indexMessageSync } from './index-message.js';
import { getSection } from './section.js';

describe('indexMessage fields', () => {
  test('headers, ids, date, subject', async () => {
    const indexed = await indexMessage(
      crlf(`Message-ID: <a.b@example.com>
In-Reply-To: <parent@example.com> (comment)
References: <root@example.com>
 <parent@example.com>
Date: Wed, 11 Feb 98 11:51 CST
Subject: =?UTF-8?Q?R=C3=A9union?=
 demain
X-Custom: =?ISO-8859-1?Q?caf=E9?=

body
`),
    );
    expect(indexed.messageId).toBe('<a.b@example.com>');
    expect(indexed.inReplyTo).toBe('<parent@example.com>');
    expect(indexed.references).toEqual(['<root@example.com>', '<parent@example.com>']);
    expect(indexed.date?.toISOString()).toBe('1998-02-11T17:51:00.000Z');
    expect(indexed.subject).toBe('Réunion demain');
    expect(indexed.headers).toContainEqual({ key: 'x-custom', value: 'café' });
    expect(indexed.headers.map((h) => h.key)).toEqual([
      'message-id',
      'in-reply-to',
      'references',
      'date',
      'subject',
      'x-custom',
    ]);
  });

  test('text: charsets and transfer encodings decoded, HTML converted, one alternative chosen', () => {
    const html = Buffer.from('<html><body><p>Gr&uuml;&szlig;e <b>aus</b> HTML</p><script>x()</script></body></html>');
    const indexed = indexMessageSync(
      crlf(`Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=alt

--alt
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Gr=FC=DFe aus dem Klartext
--alt
Content-Type: text/html

<p>alternative html, not indexed</p>
--alt--
--outer
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

${html.toString('base64')}
--outer
Content-Type: text/plain; format=flowed

soft 
wrapped
--outer--
`),
    );
    expect(indexed.text).toContain('Grüße aus dem Klartext');
    expect(indexed.text).toContain('Grüße aus HTML');
    expect(indexed.text).toContain('soft wrapped');
    expect(indexed.text).not.toContain('alternative html');
    expect(indexed.text).not.toContain('<p>');
  });

  test('text includes the header and body of encapsulated messages', () => {
    const indexed = indexMessageSync(
      crlf(`Content-Type: multipart/mixed; boundary=b

--b
Content-Type: message/rfc822

Subject: inner subject
From: Inner <inner@example.com>

inner body
--b--
`),
    );
    expect(indexed.text).toContain('inner subject');
    expect(indexed.text).toContain('Inner <inner@example.com>');
    expect(indexed.text).toContain('inner body');
  });

  test('attachments: encoded ranges of large non-text leaves with their hash and decoded file name', () => {
    const payload = Buffer.alloc(6000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = crlf(`Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

${'small text '.repeat(600)}
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''%C3%A4rger.bin
Content-Transfer-Encoding: base64

${payload}
--b
Content-Type: image/png; name="=?UTF-8?Q?tiny.png?="

iVBORw0KGgo=
--b--
`);
    const { attachments, mime } = indexMessageSync(raw);
    expect(attachments).toHaveLength(1);
    const [attachment] = attachments;
    const bytes = raw.subarray(attachment?.start, attachment?.end);
    expect(bytes.equals(getSection(raw, mime, '2') ?? Buffer.alloc(0))).toBe(true);
    expect(bytes.length).toBeGreaterThan(ATTACHMENT_MIN_BYTES);
    expect(attachment?.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(attachment?.contentType).toBe('application/octet-stream');
    expect(attachment?.filename).toBe('ärger.bin');
  });
});

describe('malformed input never throws', () => {
  const deep = (levels: number) => {
    let head = '';
    let tail = '';
    for (let i = 0; i < levels; i++) {
      head += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
      tail = `\r\n--b${i}--\r\n${tail}`;
    }
    return Buffer.from(`${head}Content-Type: text/plain\r\n\r\ndeepest${tail}`);
  };

  test.each([
    ['empty', Buffer.alloc(0)],
    ['only a blank line', Buffer.from('\r\n')],
    ['no header/body separator', Buffer.from('Subject: x\r\nFrom: a@b')],
    ['no header at all', Buffer.from('just some text\r\n')],
    [
      'bare LF and mixed endings',
      Buffer.from('Subject: x\nContent-Type: multipart/mixed; boundary=q\r\n\n--q\nA: b\r\n\nx\r\n--q--'),
    ],
    ['missing boundary parameter', crlf('Content-Type: multipart/mixed\n\n--x\n\nbody\n')],
    ['boundary never used', crlf('Content-Type: multipart/mixed; boundary=zz\n\nbody\n')],
    ['missing close delimiter', crlf('Content-Type: multipart/mixed; boundary=zz\n\n--zz\n\nbody\n')],
    ['broken base64 and qp', crlf('Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n@@@!!==\n=ZZ')],
    [
      'unknown charset and encoding',
      crlf('Content-Type: text/plain; charset=x-klingon\nContent-Transfer-Encoding: x-uue\n\nq'),
    ],
    ['8-bit garbage headers', Buffer.from([0x53, 0x3a, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0x0d, 0x0a, 0xc3])],
    ['unterminated encoded word and quotes', crlf('Subject: =?utf-8?B?broken\nFrom: "x <a@b\nTo: (unclosed\n\nx')],
    ['huge header', Buffer.from(`X-Long: ${'a'.repeat(2_000_000)}\r\n\r\nbody`)],
    ['deep nesting', deep(300)],
  ])('%s', async (_name, raw) => {
    const indexed = await indexMessage(raw);
    expect(indexed.size).toBe(raw.length);
    expect(getSection(raw, indexed.mime, '')?.equals(raw)).toBe(true);
    const header = getSection(raw, indexed.mime, 'HEADER') ?? Buffer.alloc(0);
    const text = getSection(raw, indexed.mime, 'TEXT') ?? Buffer.alloc(0);
    expect(Buffer.concat([header, text]).equals(raw)).toBe(true);
  });

  test('nesting deeper than MAX_DEPTH becomes a leaf', () => {
    const { mime } = indexMessageSync(deep(300));
    let depth = 0;
    for (let node = mime; node.children[0]; node = node.children[0]) depth++;
    expect(depth).toBe(50);
  });

  test('mutated messages (truncated, bytes flipped) still index', () => {
    const base = crlf(`From: a@b.example
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: message/rfc822

Subject: inner
Content-Type: multipart/alternative; boundary=c

--c
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

caf=C3=A9
--c--
--b
Content-Type: application/pdf; name*0*=utf-8''a; name*1=b
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b--
`);
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 300; i++) {
      const raw = Buffer.from(base.subarray(0, Math.floor(random() * (base.length + 1))));
      for (let flips = 0; flips < 3; flips++) raw[Math.floor(random() * raw.length)] = Math.floor(random() * 256);
      expect(() => indexMessageSync(raw)).not.toThrow();
    }
  });
});
