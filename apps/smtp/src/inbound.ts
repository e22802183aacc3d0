/**
 * The inbound (MX) flow after DATA: content checks, sender authentication (read as a stream, so a spilled
 * message is never whole in memory), the virus scan (spam/virus-scan.ts: 554 when clamd finds one) and the spam
 * verdict (spam/filter.ts: 550, 451 greylisting, or Junk per recipient, with X-Spam-* headers; rspamd as the
 * engine when configured), the recipients' mailbox quotas with the real size (quota-check.ts), trace headers, then every copy stored (spool and/or outbound queue) before the 250
 * reply. Each recipient's active Sieve script runs on the plaintext before that reply (sieve-delivery.ts): when
 * every recipient's script rejects the message the DATA reply is its 550 (RFC 5429 §2.1.1) and nothing is stored.
 * The stored message is our headers, the header block as received minus Authentication-Results fields forged with
 * our authserv-id (RFC 8601 §5) and minus X-Spam-* and X-Virus-* fields (only we write them), then the rest of the
 * received bytes exactly.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { metrics } from '@mailyard/monitor';
import type { SMTPServerSession } from 'smtp-server';
import { logDiscarded } from './alias-answers.js';
import { withoutForgedResults } from './auth-results.js';
import { contentRefusal } from './content-checks.js';
import type { SmtpContext } from './deps.js';
import { deliverGrouped } from './grouped-delivery.js';
import { type AuthenticationVerdict, checkSender } from './inbound-auth.js';
import { receivedHeader } from './message.js';
import { sendQuotaNotices, splitByQuota } from './quota-check.js';
import type { ReceivedMessage } from './received-message.js';
import { type LocalDelivery, type LocalRecipient, resolveLocal } from './routing.js';
import { reply } from './smtp-reply.js';
import { judgeInbound } from './spam/filter.js';
import { withoutFieldsStarting, withoutSpamFields } from './spam/headers.js';

export function newMessageId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

async function recipientsOf(ctx: SmtpContext, session: SMTPServerSession): Promise<LocalRecipient[]> {
  const resolved = await Promise.all(session.envelope.rcptTo.map((r) => resolveLocal(ctx, r.address)));
  return resolved.filter((r): r is LocalRecipient => r !== null);
}

/** SPF or DMARC failed: the envelope sender may be forged, so no automatic reply goes to it (Sieve vacation). */
function isForged(verdict: AuthenticationVerdict): boolean {
  return ['fail', 'softfail'].includes(verdict.summary.spf) || verdict.summary.dmarc === 'fail';
}

/** Stores the message for every recipient and returns the text of the 250 reply; throws a reply to refuse. */
export async function acceptInbound(
  ctx: SmtpContext,
  message: ReceivedMessage,
  session: SMTPServerSession,
): Promise<string> {
  const refusal = contentRefusal(message, ctx.limits.maxReceivedHeaders);
  if (refusal) throw refusal;
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const helo = session.hostNameAppearsAs || session.remoteAddress;
  const received = Readable.from(message.read());
  const verdict = await checkSender(ctx, received, { ip: session.remoteAddress, helo, sender });
  const log = ctx.logger.child({ component: 'mx', cid: session.id });
  if (verdict.dmarcReject) {
    log.info({ sender, auth: verdict.summary }, 'refused: DMARC policy reject');
    metrics.messages.inc({ direction: 'rejected' });
    throw reply(550, '5.7.1', 'Message refused: DMARC policy of the sender domain says reject');
  }
  const recipients = await recipientsOf(ctx, session);
  // The virus scan and the spam checks read the message at the same time: each only waits for its daemons.
  const [virus, spam] = await Promise.all([
    ctx.virusScan?.check(message, log) ?? null,
    judgeInbound(ctx, ctx.spamChecks, message, { ip: session.remoteAddress, helo, sender }, verdict, recipients),
  ]);
  if (virus?.refusal) {
    log.info({ sender, auth: verdict.summary, virus: virus.summary }, 'refused by the virus scan');
    if (virus.refusal.responseCode >= 500) metrics.messages.inc({ direction: 'rejected' });
    throw virus.refusal;
  }
  if (spam?.refusal) {
    log.info({ sender, auth: verdict.summary, spam: spam.summary }, 'refused by the spam filter');
    if (spam.refusal.responseCode >= 500) metrics.messages.inc({ direction: 'rejected' });
    throw spam.refusal;
  }
  // Recipients whose mailbox the message no longer fits (quota-check.ts): refused when none is left.
  const quota = await splitByQuota(ctx, recipients, message.size);
  if (quota.refusal) {
    log.info({ sender, recipients: recipients.length }, 'refused: recipient mailboxes over quota');
    throw quota.refusal;
  }
  const id = newMessageId();
  const single = session.envelope.rcptTo.length === 1 ? session.envelope.rcptTo[0]?.address : undefined;
  const trace = receivedHeader({
    helo,
    ip: session.remoteAddress,
    by: ctx.config.hostname,
    protocol: session.transmissionType,
    id,
    ...(single ? { recipient: single } : {}),
  });
  const cleaned = withoutForgedResults(message.header, ctx.config.hostname);
  const unlabelled = spam ? withoutSpamFields(cleaned) : cleaned;
  const kept = virus ? withoutFieldsStarting(unlabelled, 'x-virus-') : unlabelled;
  const added = trace + verdict.headers + (virus?.headers ?? '');
  const delivery: LocalDelivery = {
    body: message.withHead(Buffer.concat([Buffer.from(added, 'latin1'), kept])),
    envelopeFrom: sender,
    recipients: quota.within,
    arc: verdict.arc,
    senderForged: isForged(verdict),
    messageId: id,
    ...(spam ? { junk: spam.junk } : {}),
  };
  // Each recipient's copy carries the X-Spam-* fields of its own domain's decision (grouped-delivery.ts).
  const withFields = (fields: string) => message.withHead(Buffer.concat([Buffer.from(added + fields, 'latin1'), kept]));
  const { refusal: rejected, outcome } = await deliverGrouped(ctx, delivery, spam?.headers ?? new Map(), withFields);
  if (rejected) {
    log.info({ id, sender, recipients: recipients.length }, "refused: rejected by the recipients' Sieve scripts");
    metrics.messages.inc({ direction: 'rejected' });
    throw rejected;
  }
  await sendQuotaNotices(ctx, quota.over, { envelopeFrom: sender, messageId: id, header: message.header });
  const addresses = session.envelope.rcptTo.map((r) => r.address);
  // Not awaited, like the delivered lines: recipients of disabled aliases answered 250 and got nothing.
  void logDiscarded(ctx, addresses, new Set(recipients.map((r) => r.address)), sender, id).catch(() => undefined);
  metrics.messages.inc({ direction: 'accepted' });
  log.info(
    {
      id,
      sender,
      recipients: recipients.length,
      ...outcome,
      auth: verdict.summary,
      spam: spam?.summary,
      virus: virus?.summary,
    },
    'message accepted',
  );
  return `Ok: queued as ${id}`;
}
