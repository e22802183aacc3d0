/**
 * The JSON a webhook receives for one inbound message: its envelope, its header fields in order, the usual
 * addressing fields as written (unfolded), its text and HTML bodies, its attachments (content inline, base64, while their total
 * stays within webhooks.maxInlineBytes), and the raw message (base64) when it is no larger than that. Bodies and
 * attachments are read through @mailyard/mail, the parser indexing and IMAP use.
 */
import { getBinarySection, headerText, indexMessageSync, type MessageContent, messageContent } from '@mailyard/mail';
import { headerFields } from '../message.js';

export interface WebhookEnvelope {
  mailFrom: string;
  /** The alias address the message was delivered to. */
  recipient: string;
  /** Our queue id of the message (the Received header's id). */
  id?: string;
}

interface AttachmentOut {
  filename: string | null;
  content_type: string;
  content_id: string | null;
  disposition: string | null;
  size: number;
  /** Base64 of the decoded content; null when over the inline budget. */
  content: string | null;
}

function attachmentsOf(raw: Buffer, content: MessageContent, budget: number): AttachmentOut[] {
  let left = budget;
  let mime: ReturnType<typeof indexMessageSync>['mime'] | null = null;
  return content.attachments.map((a) => {
    let inline: string | null = null;
    if (a.size <= left) {
      mime ??= indexMessageSync(raw).mime;
      const section = getBinarySection(raw, mime, a.part);
      if (section?.kind === 'data') {
        inline = section.data.toString('base64');
        left -= section.data.length;
      }
    }
    return {
      filename: a.filename,
      content_type: a.contentType,
      content_id: a.contentId,
      disposition: a.disposition,
      size: a.size,
      content: inline,
    };
  });
}

/** Bodies and attachments; none for a message whose MIME structure cannot be read (its raw form still goes). */
function readableContent(raw: Buffer): MessageContent {
  try {
    return messageContent(raw);
  } catch {
    return { text: null, html: null, attachments: [] };
  }
}

export function webhookPayload(raw: Buffer, envelope: WebhookEnvelope, maxInlineBytes: number): Buffer {
  const fields = headerFields(raw);
  const value = (name: string) => {
    const field = fields.find((f) => f.name === name);
    return field ? headerText(field.raw) : null;
  };
  const content = readableContent(raw);
  const payload = {
    id: envelope.id ?? null,
    envelope: { mail_from: envelope.mailFrom, rcpt_to: envelope.recipient },
    received_at: new Date().toISOString(),
    message_id: value('message-id'),
    date: value('date'),
    from: value('from'),
    to: value('to'),
    cc: value('cc'),
    reply_to: value('reply-to'),
    subject: value('subject'),
    headers: fields.map((f) => ({ name: f.name, value: headerText(f.raw) })),
    text: content.text,
    html: content.html,
    attachments: safely(() => attachmentsOf(raw, content, maxInlineBytes), []),
    size: raw.length,
    raw: raw.length <= maxInlineBytes ? raw.toString('base64') : null,
  };
  return Buffer.from(JSON.stringify(payload));
}

function safely<T>(work: () => T, fallback: T): T {
  try {
    return work();
  } catch {
    return fallback;
  }
}
