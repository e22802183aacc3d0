import { describe, expect, test } from 'vitest';
import { messageContent } from './message-parts.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('messageContent', () => {
  test('a single-part message is its text; no attachments', () => {
    const raw = crlf(['From: a@example.org', 'Subject: hi', '', 'Hello there', '']);
    expect(messageContent(raw)).toEqual({ text: 'Hello there\r\n', html: null, attachments: [] });
  });

  test('alternative bodies decoded, attachments with part number, file name, id and decoded size', () => {
    const pdf = Buffer.from('%PDF-1.4 not really a pdf but enough bytes');
    const raw = crlf([
      'From: a@example.org',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Gr=FC=DFe',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Grüße</p>',
      '--alt--',
      '--outer',
      'Content-Type: application/pdf; name="ignored.pdf"',
      'Content-Disposition: attachment; filename="=?utf-8?q?R=C3=A9sum=C3=A9.pdf?="',
      'Content-ID: <cv@example.org>',
      'Content-Transfer-Encoding: base64',
      '',
      pdf.toString('base64'),
      '--outer',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment',
      '',
      'attached text',
      '--outer--',
      '',
    ]);
    const content = messageContent(raw);
    expect(content.text).toBe('Grüße');
    expect(content.html).toBe('<p>Grüße</p>');
    expect(content.attachments).toEqual([
      {
        part: '2',
        contentType: 'application/pdf',
        filename: 'Résumé.pdf',
        disposition: 'attachment',
        contentId: 'cv@example.org',
        size: pdf.length,
      },
      {
        part: '3',
        contentType: 'text/plain',
        filename: 'notes.txt',
        disposition: 'attachment',
        contentId: null,
        size: 'attached text'.length,
      },
    ]);
  });

  test('an attached message is one attachment, not its own bodies', () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b',
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      '',
      'inner body',
      '--b--',
      '',
    ]);
    const content = messageContent(raw);
    expect(content.text).toBe('see attached');
    expect(content.attachments.map((a) => [a.part, a.contentType])).toEqual([['2', 'message/rfc822']]);
  });
});
