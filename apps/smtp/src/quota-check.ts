/**
 * Mailbox quotas at delivery, without unlocking any mailbox: the limits and last reported usage come from the
 * control store (control/quotas.ts), plus the sealed spool entries not yet drained (their file sizes).
 *
 * - RCPT TO: a recipient whose mailbox is already full, or would be with the SIZE= declared at MAIL FROM (RFC
 *   1870), gets 452 4.2.2: a full mailbox is a temporary condition (RFC 3463 §3.3 X.2.2; the owner can delete
 *   mail), so the sender keeps the message and retries. 552 5.2.2 only when the message alone is larger than the
 *   mailbox's whole quota: no deletion can make it fit. The transaction's other recipients are unaffected.
 * - After DATA, with the real size: recipients that no longer fit are taken out of the delivery. When that leaves
 *   none, the DATA reply is their refusal (452, or 552 if it is larger than every such quota) and nothing is
 *   stored; otherwise the others get the message, the 250 covers them, and the sender gets a delivery status
 *   notification (RFC 3464, status 5.2.2) for each recipient left out (RFC 5321 §3.6.3 ... a server that
 *   accepted a transaction reports later failures by a DSN).
 * - A recipient that also forwards or posts to a webhook is never refused for its mailbox's quota: the forward must
 *   go out, and its mailbox copy lands even past the limit. Nor is the spool drain ever refused: every message
 *   acknowledged with 250 lands in its mailbox (mailstore/handle.ts).
 */
import { type EffectiveQuota, resolveQuota } from '@mailyard/control';
import type { SMTPServerSession } from 'smtp-server';
import type { SmtpContext } from './deps.js';
import { buildBounce } from './outbound/bounce.js';
import { bodyOf } from './received-message.js';
import { deliverLocally, type LocalRecipient, resolveLocal } from './routing.js';
import { reply, type SmtpHandlerError } from './smtp-reply.js';

/** The mailbox's limits and usage now (spool included); null when no alias holds it. */
async function quotaOf(ctx: SmtpContext, mailboxId: string): Promise<EffectiveQuota | null> {
  const [record, spool] = await Promise.all([
    ctx.control.mailboxQuota(mailboxId),
    ctx.mailstore.spoolUsage?.(mailboxId) ?? Promise.resolve({ bytes: 0, files: 0 }),
  ]);
  const spooled = { bytes: spool.bytes, messages: spool.files };
  return record ? resolveQuota(record, ctx.config.mailbox.quotaBytes, spooled) : null;
}

/** The refusal for one more message of `size` bytes, or null when it fits. */
export function quotaRefusal(quota: EffectiveQuota, size: number): SmtpHandlerError | null {
  if (size > quota.mailboxBytes) {
    return reply(552, '5.2.2', 'Message is larger than the recipient mailbox quota');
  }
  if (quota.usedBytes + size > quota.bytes) return reply(452, '4.2.2', 'Recipient mailbox is full, try again later');
  if (quota.messages !== null && quota.usedMessages + 1 > quota.messages) {
    return reply(452, '4.2.2', 'Recipient mailbox is full (message count), try again later');
  }
  return null;
}

/** Only a recipient whose one destination is its mailbox is refused for the mailbox's quota. */
function mailboxOnly(r: LocalRecipient): string | null {
  return r.mailboxId && r.forwards.length === 0 && r.webhooks.length === 0 ? r.mailboxId : null;
}

/** SIZE= of MAIL FROM (RFC 1870 §6), 0 when not declared. */
function declaredSize(session: SMTPServerSession): number {
  const from = session.envelope.mailFrom;
  const args = from ? (from as { args?: Record<string, string | boolean> }).args : undefined;
  const size = Number(args?.SIZE);
  return Number.isSafeInteger(size) && size > 0 ? size : 0;
}

/** RCPT TO: the quota refusal of a resolved recipient, or null. */
export async function recipientQuotaRefusal(
  ctx: SmtpContext,
  recipient: LocalRecipient,
  session: SMTPServerSession,
): Promise<SmtpHandlerError | null> {
  const mailboxId = mailboxOnly(recipient);
  if (!mailboxId) return null;
  const quota = await quotaOf(ctx, mailboxId);
  return quota ? quotaRefusal(quota, declaredSize(session)) : null;
}

export interface QuotaSplit {
  within: LocalRecipient[];
  over: Array<{ recipient: LocalRecipient; refusal: SmtpHandlerError }>;
  /** Set when no recipient is left: the DATA reply. */
  refusal: SmtpHandlerError | null;
}

/** After DATA: which recipients still fit with the message's real size. */
export async function splitByQuota(ctx: SmtpContext, recipients: LocalRecipient[], size: number): Promise<QuotaSplit> {
  const checked = await Promise.all(
    recipients.map(async (recipient) => {
      const mailboxId = mailboxOnly(recipient);
      const quota = mailboxId ? await quotaOf(ctx, mailboxId) : null;
      return { recipient, refusal: quota ? quotaRefusal(quota, size) : null };
    }),
  );
  const within = checked.filter((c) => c.refusal === null).map((c) => c.recipient);
  const over = checked.flatMap((c) => (c.refusal ? [{ recipient: c.recipient, refusal: c.refusal }] : []));
  if (within.length > 0 || over.length === 0) return { within, over, refusal: null };
  // Temporary wins: one recipient that may have room later is worth the sender's retry.
  const refusal = over.find((o) => o.refusal.responseCode === 452)?.refusal ?? (over[0]?.refusal as SmtpHandlerError);
  return { within, over, refusal };
}

/** A DSN to the sender for each recipient left out after DATA; into a local sender's mailbox or the queue. */
export async function sendQuotaNotices(
  ctx: SmtpContext,
  over: QuotaSplit['over'],
  input: { envelopeFrom: string; messageId: string; header: Buffer },
): Promise<void> {
  if (over.length === 0 || input.envelopeFrom === '') return;
  const dsn = buildBounce({
    hostname: ctx.config.hostname,
    to: input.envelopeFrom,
    queueId: input.messageId,
    arrivalDate: new Date(),
    failed: over.map(({ recipient, refusal }) => ({
      address: recipient.address,
      status: 'failed' as const,
      statusCode: '5.2.2',
      diagnostic: `${refusal.responseCode} ${refusal.message}`,
    })),
    original: input.header,
  });
  const local = (await ctx.control.isHostedDomain(input.envelopeFrom.split('@').pop() ?? ''))
    ? await resolveLocal(ctx, input.envelopeFrom)
    : null;
  if (local) await deliverLocally(ctx, { body: bodyOf(dsn), envelopeFrom: '', recipients: [local] });
  else await ctx.control.enqueue({ envelopeFrom: '', recipients: [input.envelopeFrom], body: dsn });
}
