/**
 * A message given as JSON (from, to, subject, text, html, attachments, headers) composed into RFC 5322 / MIME
 * bytes by nodemailer's MailComposer (the MIME builder of the library the SMTP app already uses), so the store
 * receives a message exactly as if a client had APPENDed it. `raw` skips composing.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { z } from 'zod';
import type { messageCreate } from './message-shapes.js';

type MessageInput = z.infer<typeof messageCreate>;

export async function composeMessage(input: MessageInput): Promise<Buffer> {
  if (input.raw !== undefined) return Buffer.from(input.raw, 'utf8');
  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    replyTo: input.reply_to,
    subject: input.subject,
    text: input.text,
    html: input.html,
    date: input.date ? new Date(input.date) : new Date(),
    headers: input.headers,
    attachments: input.attachments?.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content, 'base64'),
      contentType: a.content_type,
      cid: a.content_id,
    })),
  });
  const node = composer.compile();
  // Bcc is kept in a stored copy (a draft or a sent copy), as mail clients keep it.
  node.keepBcc = true;
  return node.build();
}
