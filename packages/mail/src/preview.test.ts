import { expect, test } from 'vitest';
import { crlf, NESTED_MESSAGE } from './fixtures.test-support.js';
import { messagePreview, PREVIEW_MAX_CHARS } from './preview.js';

test('text/plain: decoded (quoted-printable, charset), whitespace collapsed', () => {
  const raw = crlf(
    'Subject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n' +
      'Caf=C3=A9   at\n\n  noon=\n today\n',
  );
  expect(messagePreview(raw)).toBe('Café at noon today');
});

test('RFC 8970 §3.2: at most 256 characters, counted as characters not bytes', () => {
  const raw = crlf(`Content-Type: text/plain; charset=utf-8\n\n${'é'.repeat(400)}\n`);
  const preview = messagePreview(raw);
  expect([...preview].length).toBe(PREVIEW_MAX_CHARS);
  expect(preview).toBe('é'.repeat(256));
});

test('multipart/alternative prefers text/plain; HTML alone is converted to text', () => {
  const alt = crlf(
    'Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>Rich <b>text</b></p>\n' +
      '--b\nContent-Type: text/plain\n\nPlain text\n--b--\n',
  );
  expect(messagePreview(alt)).toBe('Plain text');
  const html = crlf(
    'Content-Type: text/html\n\n<html><head><style>p{}</style></head><body><p>Hello <i>you</i></p></body>',
  );
  expect(messagePreview(html)).toBe('Hello you');
});

test('attachments and encapsulated messages are skipped; a message without text has an empty preview', () => {
  const mixed = crlf(
    'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Disposition: attachment\n\n' +
      'attached notes\n--b\nContent-Type: text/plain\n\n\n--b\nContent-Type: text/plain\n\nThe body\n--b--\n',
  );
  expect(messagePreview(mixed)).toBe('The body');
  // text/x-myown is not text a reader shows, and the other part is an encapsulated message
  expect(messagePreview(NESTED_MESSAGE)).toBe('');
  expect(messagePreview(crlf('Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0K\n'))).toBe('');
});
