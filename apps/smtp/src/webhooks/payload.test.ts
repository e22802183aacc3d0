import { describe, expect, test } from 'vitest';
import { webhookPayload } from './payload.js';

const MESSAGE = Buffer.from(
  [
    'From: Sam <sam@sender.example>',
    'To: hook@hosted.example',
    'Subject: Report',
    'Message-ID: <m1@sender.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'See attached.',
    '--b1',
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Disposition: attachment; filename="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('attachment bytes').toString('base64'),
    '--b1--',
    '',
  ].join('\r\n'),
);

const envelope = { mailFrom: 'sam@sender.example', recipient: 'hook@hosted.example', id: 'q1' };

describe('webhook payload', () => {
  test('envelope, fields, text and the attachment inline within the budget, raw too', () => {
    const payload = JSON.parse(webhookPayload(MESSAGE, envelope, 1024 * 1024).toString('utf8'));
    expect(payload).toMatchObject({
      id: 'q1',
      envelope: { mail_from: 'sam@sender.example', rcpt_to: 'hook@hosted.example' },
      subject: 'Report',
      message_id: '<m1@sender.example>',
      size: MESSAGE.length,
    });
    expect(payload.text).toContain('See attached.');
    expect(payload.attachments).toEqual([
      expect.objectContaining({
        filename: 'data.bin',
        size: 16,
        content: Buffer.from('attachment bytes').toString('base64'),
      }),
    ]);
    expect(Buffer.from(payload.raw, 'base64').equals(MESSAGE)).toBe(true);
  });

  test('over the inline budget: attachments described without content, no raw', () => {
    const payload = JSON.parse(webhookPayload(MESSAGE, envelope, 10).toString('utf8'));
    expect(payload.attachments[0]).toMatchObject({ filename: 'data.bin', size: 16, content: null });
    expect(payload.raw).toBeNull();
  });

  test('a message without a readable structure still gives a payload', () => {
    const odd = Buffer.from('Subject: odd\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here\r\n');
    const payload = JSON.parse(webhookPayload(odd, envelope, 1024).toString('utf8'));
    expect(payload.subject).toBe('odd');
    expect(payload.raw).not.toBeNull();
  });
});
