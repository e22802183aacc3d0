/**
 * Shapes of /v1/emails, in Forward Email's form: a message described by from, to, cc, bcc, subject, text, html,
 * attachments and headers (built into MIME by nodemailer's MailComposer, email-compose.ts), or given whole as
 * `raw` (RFC 5322). Field names are snake_case on the wire like the rest of the API (reply_to, in_reply_to,
 * content_type). Responses say where each recipient's copy stands.
 */
import { z } from 'zod';

const line = z.string().max(998);
const addresses = z.union([z.string().max(100_000), z.array(line).max(1000)]);

export const attachmentIn = z.strictObject({
  filename: z.string().max(255).optional(),
  /** Text, or base64 when encoding is 'base64'. */
  content: z.string(),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  content_type: z.string().max(255).optional(),
  /** Content-ID, for an inline image an HTML part names as cid:... */
  cid: z.string().max(255).optional(),
});

export const emailCreate = z.strictObject({
  from: line.optional().describe('Required unless raw is given; an address you may send as'),
  to: addresses.optional(),
  cc: addresses.optional(),
  bcc: addresses.optional().describe('Envelope recipients only: no Bcc field is written'),
  reply_to: addresses.optional(),
  in_reply_to: line.optional(),
  references: z.union([line, z.array(line).max(1000)]).optional(),
  subject: z.string().max(10_000).optional(),
  text: z.string().optional(),
  html: z.string().optional(),
  attachments: z.array(attachmentIn).max(100).optional(),
  headers: z.record(z.string().max(76), line).optional(),
  raw: z
    .string()
    .optional()
    .describe(
      'The whole message (RFC 5322); excludes the other fields except to, cc and bcc, which then name the ' +
        'envelope recipients (default: the To, Cc and Bcc fields of the message; its Bcc field is removed)',
    ),
});

export type EmailCreate = z.infer<typeof emailCreate>;

export const emailRecipientOut = z.strictObject({
  address: z.string(),
  status: z.enum(['pending', 'deferred', 'delivered', 'failed']),
  /** Delivery attempts to this recipient (0 for a hosted recipient: delivered at once). */
  attempts: z.number().int(),
  /** The last SMTP reply or error for this recipient; null when none yet. */
  last_response: z.string().nullable(),
});

export const emailOut = z.strictObject({
  id: z.string(),
  message_id: z.string(),
  from: z.string(),
  subject: z.string(),
  size: z.number().int(),
  /** queued: remote recipients still to do; cancelled: withdrawn by DELETE before delivery. */
  status: z.enum(['queued', 'delivered', 'failed', 'cancelled']),
  /** A copy went to the sender's Sent folder (mailbox credentials only: a token cannot reach a mailbox). */
  sent_copy: z.boolean(),
  recipients: z.array(emailRecipientOut),
  created_at: z.iso.datetime(),
});

const usage = z.strictObject({ count: z.number().int(), remaining: z.number().int() });

export const emailLimitOut = z.strictObject({
  /** Messages per day, per sending alias and per domain (smtp.dailySendLimit), over SMTP submission and the API. */
  limit: z.number().int(),
  /** Messages per hour per sending alias (smtp.messagesPerSenderPerHour). */
  hourly_limit: z.number().int(),
  /** Use in the last 24 hours (SMTP submission and the API together) by each of the caller's verified domains. */
  domains: z.array(usage.extend({ domain: z.string() })),
  /** The authenticated mailbox's own use (mailbox credentials only). */
  sender: usage.extend({ address: z.string(), hourly_count: z.number().int() }).nullable(),
});
