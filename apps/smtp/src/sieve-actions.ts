/**
 * The Sieve actions that send mail, carried out before the 250 reply so each is as durable as the delivery:
 *
 * - vacation (RFC 5230, RFC 6131): vacationDecision says whether the message may be answered at all (never the
 *   null sender, automatic mail, lists, bulk or junk, list and daemon addresses, oneself, or a message not
 *   addressed to the user, RFC 5230 §4.5-4.6 and RFC 3834 §2); we also never answer a sender whose SPF or DMARC
 *   check failed (a forged sender would make us send backscatter). Then once per sender per :days/:seconds and
 *   :handle, claimed in the tracker (control store) before sending. The reply (Auto-Submitted: auto-replied,
 *   In-Reply-To and References, null envelope sender, RFC 5230 §5) is DKIM-signed by the recipient's domain and
 *   goes to the local sender's mailbox or the outbound queue. A :from outside the recipient's domain is
 *   replaced by the recipient's address: we sign for our domain only and never send as someone else's.
 * - reject/ereject (RFC 5429 §2.1) for one recipient of several: the SMTP transaction has one DATA reply, so the
 *   others get the message and the sender gets a delivery status notification (RFC 3464, RFC 5429 §2.1.2) for
 *   the rejecting one, unless the sender is null. When every recipient rejects, the caller answers 550 instead.
 * - redirect (RFC 5228 §4.2): to a local address, through the same delivery path (that recipient's script runs
 *   too); elsewhere, through the outbound queue with an SRS sender (routing.ts). Either way the copy gets an
 *   X-Sieve-Redirected-From field naming the redirecting recipient, which sieve-filter.ts reads for loop control.
 */
import { randomBytes } from 'node:crypto';
import { splitAddress } from '@mailyard/control';
import { mailboxesOf, parseAddressList } from '@mailyard/mail';
import { buildVacationReply, type RawMessage, type VacationAction, vacationDecision } from '@mailyard/sieve';
import type { SmtpContext } from './deps.js';
import { signFor } from './dkim-sign.js';
import { SMTP_LIMITS } from './limits.js';
import { buildBounce } from './outbound/bounce.js';
import { enqueueOutbound } from './outbound/enqueue.js';
import { bodyOf } from './received-message.js';
import { REDIRECTED_FROM } from './sieve-filter.js';

/** The recipient a Sieve action acts for. */
export interface ActingRecipient {
  address: string;
  /** The hosted domain the recipient belongs to (it signs vacation replies). */
  domain: string;
  mailboxId: string;
}

/** Delivers a message to hosted addresses through the whole local path (scripts included). */
export type LocalSender = (
  to: string,
  envelopeFrom: string,
  raw: Buffer,
) => Promise<'delivered' | 'unknown' | 'remote'>;

export interface VacationInput {
  recipient: ActingRecipient;
  action: VacationAction;
  message: RawMessage;
  envelopeFrom: string;
  /** SPF or DMARC of the incoming message failed. */
  senderForged: boolean;
  sendLocal: LocalSender;
}

/** Sends the vacation reply if the rules allow one; returns why not otherwise ('' when it was sent). */
export async function answerVacation(ctx: SmtpContext, input: VacationInput): Promise<string> {
  const { action, message, recipient } = input;
  const envelope = { from: input.envelopeFrom, to: recipient.address };
  const decision = vacationDecision(action, message, envelope);
  const why = !decision.send ? decision.why : input.senderForged ? 'sender failed SPF or DMARC' : '';
  if (why) return why;
  const key = `vacation:${action.handle}:${decision.to.toLowerCase()}`;
  const now = new Date();
  const first = await ctx.sieve.tracker.claim(
    recipient.mailboxId,
    key,
    new Date(now.getTime() + action.seconds * 1000),
  );
  if (!first) return 'already answered within the period';
  const reply = buildVacationReply({
    action: { ...action, from: ownFrom(action.from, recipient) },
    message,
    envelope,
    now,
    messageId: `<${randomBytes(12).toString('hex')}@${recipient.domain}>`,
  });
  const signature = await signFor(ctx, recipient.domain, bodyOf(reply.raw));
  await sendOut(ctx, reply.to, Buffer.concat([Buffer.from(signature, 'latin1'), reply.raw]), input.sendLocal);
  return '';
}

/**
 * RFC 5230 §4.2 lets us refuse a :from that is not the user's: anything but one address (RFC 5322 §3.4, parsed by
 * @mailyard/mail) in the recipient's domain.
 */
export function ownFrom(from: string | null, recipient: ActingRecipient): string | null {
  if (from === null) return null;
  const mailboxes = mailboxesOf(parseAddressList(from));
  const only = mailboxes.length === 1 ? mailboxes[0] : undefined;
  const domain = only ? splitAddress(`${only.mailbox}@${only.host}`)?.domain : undefined;
  return domain === recipient.domain ? from : null;
}

/** A notice with the null envelope sender: into a hosted sender's mailbox, else through the outbound queue. */
async function sendOut(ctx: SmtpContext, to: string, raw: Buffer, sendLocal: LocalSender): Promise<void> {
  const routed = await sendLocal(to, '', raw);
  if (routed === 'remote') await enqueueOutbound(ctx, { envelopeFrom: '', recipients: [to], body: raw });
}

export interface RejectNotice {
  envelopeFrom: string;
  recipient: string;
  reason: string;
  messageId: string;
  original: Buffer;
  sendLocal: LocalSender;
}

/** RFC 5429 §2.1.2: the DSN for a recipient whose script rejected a message the transaction accepted. */
export async function sendRejectNotice(ctx: SmtpContext, notice: RejectNotice): Promise<void> {
  if (notice.envelopeFrom === '') return;
  const dsn = buildBounce({
    hostname: ctx.config.hostname,
    to: notice.envelopeFrom,
    queueId: notice.messageId,
    arrivalDate: new Date(),
    failed: [{ address: notice.recipient, status: 'failed', statusCode: '5.7.1', diagnostic: notice.reason }],
    original: notice.original,
  });
  await sendOut(ctx, notice.envelopeFrom, dsn, notice.sendLocal);
}

/** The reply text of a Sieve reject: one line of printable ASCII, bounded (RFC 5321 §4.5.3.1.5). */
export function rejectReplyText(reason: string): string {
  const line = reason
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  const max = SMTP_LIMITS.maxRejectReplyChars;
  const text = line.length > max ? `${line.slice(0, max - 3)}...` : line;
  return text || 'Message rejected by the recipient';
}

/** The copy a redirect sends: the message with X-Sieve-Redirected-From naming the redirecting recipient first. */
export function redirectedCopy(raw: Buffer, recipient: string): Buffer {
  return Buffer.concat([Buffer.from(`${REDIRECTED_FROM}: ${recipient}\r\n`, 'latin1'), raw]);
}
