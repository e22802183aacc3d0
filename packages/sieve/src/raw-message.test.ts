import { expect, test } from 'vitest';
import { ENCODED, MULTIPART, message } from './fixtures.test-support.js';
import { RawMessage } from './raw-message.js';

test('header fields: every occurrence, unfolded, decoded; raw values keep the encoded words', () => {
  const raw = message(['X-A: one', 'x-a: two,', '  folded', 'Subject: =?utf-8?q?caf=C3=A9?='], 'x');
  const m = new RawMessage(raw);
  expect(m.header('x-a')).toEqual(['one', 'two,  folded']); // RFC 5322 §2.2.3: only the line break goes
  expect(m.header('subject')).toEqual(['café']);
  expect(m.rawHeader('subject')).toEqual(['=?utf-8?q?caf=C3=A9?=']);
  expect(m.header('missing')).toEqual([]);
  expect(m.size).toBe(raw.length);
});

test('raw UTF-8 header bytes (RFC 6532) are read as UTF-8', () => {
  const m = new RawMessage(message(['Subject: Grüße'], 'x'));
  expect(m.header('subject')).toEqual(['Grüße']);
});

test('body: the raw body undecoded, and every part decoded (transfer encoding and charset)', () => {
  const encoded = new RawMessage(ENCODED);
  expect(encoded.rawBody()).toBe('Viele Gr=FC=DFe aus K=F6ln\r\n');
  const plain = 'Viele Grüße aus Köln\r\n';
  expect(encoded.bodyParts()).toEqual([{ contentType: 'text/plain', text: plain, plainText: plain }]);
  const parts = new RawMessage(MULTIPART).bodyParts();
  expect(parts.map((p) => p.contentType)).toEqual(['multipart/mixed', 'text/plain', 'text/html', 'application/pdf']);
  expect(parts[1]?.text).toBe('Café au lait');
  expect(parts[2]).toMatchObject({ text: '<p>invoice attached</p>', plainText: 'invoice attached' });
  expect(parts[3]?.text.startsWith('%PDF-1.4')).toBe(true);
  expect(parts[3]?.plainText).toBeNull();
});

test('a multipart part is its prologue and epilogue, without the delimiter lines (RFC 2046 §5.1.1)', () => {
  const raw = message(
    ['From: a@b.c', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=zz'],
    'This is a MIME message.\r\n--zz\r\nContent-Type: text/plain\r\n\r\nhi\r\n--zz--\r\nepilogue here\r\n',
  );
  expect(new RawMessage(raw).bodyParts()[0]).toEqual({
    contentType: 'multipart/mixed',
    text: 'This is a MIME message.\r\nepilogue here',
    plainText: null,
  });
});

test('an encapsulated message/rfc822 contributes its own parts', () => {
  const raw = message(
    ['From: a@b.c', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=o'],
    '--o\r\nContent-Type: text/plain\r\n\r\nouter\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--o--\r\n',
  );
  const parts = new RawMessage(raw).bodyParts();
  expect(parts.map((p) => [p.contentType, p.text.trim()])).toEqual([
    ['multipart/mixed', ''],
    ['text/plain', 'outer'],
    ['text/plain', 'inner text'],
  ]);
});

test('a message without a body or header separator', () => {
  const m = new RawMessage(Buffer.from('Subject: only a header\r\n'));
  expect(m.header('subject')).toEqual(['only a header']);
  expect(m.rawBody()).toBe('');
});
