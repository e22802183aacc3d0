/**
 * The submission flow after DATA (RFC 6409): every From/Sender address must be one the user may send as
 * (send-as.ts), forged Authentication-Results are removed (RFC 8601 §5), the message gets a Received header, a
 * Date and a Message-ID when it has none (RFC 6409 §8.2, §8.3; the Message-ID names the user's domain) and a
 * DKIM signature by the From domain (RFC 6376, relaxed/relaxed, rsa-sha256), then local recipients are delivered
 * to their spools, remote ones queued (a domain counts as local only once verified, so mail to an unverified one
 * goes out by MX), and a copy goes to the sender's Sent folder, all durable before the 250 reply. Local
 * recipients' Sieve scripts run as for mail from outside (sieve-delivery.ts); when every recipient is local and
 * each one's script rejects, the reply is their 550 and nothing is stored, not even the Sent copy. A large
 * message is signed and stored as a stream; only the queued copy is read whole, within the byte budget.
 */
import { randomBytes } from 'node:crypto';
import { type NewQueueItem, splitAddress } from '@mailyard/control';
import { metrics } from '@mailyard/monitor';
import type { SMTPServerSession } from 'smtp-server';
import { withoutForgedResults } from './auth-results.js';
import { contentRefusal } from './content-checks.js';
import type { SmtpContext } from './deps.js';
import { signFor } from './dkim-sign.js';
import { newMessageId } from './inbound.js';
import { addressesIn, headerFields, receivedHeader } from './message.js';
import { dsnOfSession } from './outbound/dsn.js';
import type { ReceivedMessage } from './received-message.js';
import {
  deliverPlanned,
  type LocalDelivery,
  type LocalRecipient,
  planLocal,
  resolveLocal,
  storeInMailbox,
  wholeMessage,
} from './routing.js';
import { canonicalAddress, IDENTITY_FIELDS, maySendAs } from './send-as.js';
import type { SubmissionUser } from './server-state.js';
import { reply } from './smtp-reply.js';

/**
 * Checks every identity address of the header (550 5.7.1 for one the user may not use, 550 5.6.0 without a From)
 * and returns the domain to sign with: the first From address's (a verified domain of the user's account).
 */
async function checkIdentity(ctx: SmtpContext, header: Buffer, user: SubmissionUser): Promise<string> {
  const from = addressesIn(header, ['from']);
  if (from.length === 0) throw reply(550, '5.6.0', 'Message has no From address');
  for (const written of addressesIn(header, IDENTITY_FIELDS)) {
    if (!(await maySendAs(ctx, user, written))) {
      const shown = written.local ? `${written.local}@${written.domain}` : '(empty group)';
      throw reply(550, '5.7.1', `From/Sender address ${shown} is not one of yours`);
    }
  }
  return canonicalAddress(from[0] ?? { local: '', domain: '' })?.domain ?? user.domain;
}

/** RFC 6409 §8.2 and §8.3: the MSA may add a missing Date and Message-ID; they go after our Received header. */
export function missingOriginHeaders(raw: Buffer, domain: string, now = new Date()): string {
  const present = new Set(headerFields(raw).map((f) => f.name));
  const date = present.has('date') ? '' : `Date: ${now.toUTCString().replace('GMT', '+0000')}\r\n`;
  const id = present.has('message-id') ? '' : `Message-ID: <${randomBytes(16).toString('hex')}@${domain}>\r\n`;
  return date + id;
}

async function splitRecipients(ctx: SmtpContext, addresses: string[]) {
  const local: LocalRecipient[] = [];
  const remote: string[] = [];
  for (const address of addresses) {
    const parts = splitAddress(address);
    const hosted = parts ? await ctx.control.isHostedDomain(parts.domain) : false;
    const resolved = hosted ? await resolveLocal(ctx, address) : null;
    if (resolved) local.push(resolved);
    else if (!hosted) remote.push(address);
  }
  return { local, remote };
}

/** Remote recipients go to the outbound queue with the DSN parameters they came with (RFC 3461). */
function enqueueRemote(ctx: SmtpContext, session: SMTPServerSession, item: NewQueueItem) {
  const dsn = dsnOfSession(session, item.recipients);
  return ctx.control.enqueue({ ...item, ...(dsn ? { dsn } : {}) });
}

export async function acceptSubmission(
  ctx: SmtpContext,
  message: ReceivedMessage,
  session: SMTPServerSession,
): Promise<string> {
  const refusal = contentRefusal(message, ctx.limits.maxReceivedHeaders);
  if (refusal) throw refusal;
  const user = session.user as SubmissionUser;
  const signingDomain = await checkIdentity(ctx, message.header, user);
  const id = newMessageId();
  const received = receivedHeader({
    helo: session.hostNameAppearsAs || 'unknown',
    by: ctx.config.hostname,
    protocol: session.transmissionType,
    id,
  });
  const head = Buffer.concat([
    Buffer.from(received + missingOriginHeaders(message.header, user.domain), 'latin1'),
    withoutForgedResults(message.header, ctx.config.hostname),
  ]);
  const signature = await signFor(ctx, signingDomain, message.withHead(head));
  const signed = message.withHead(Buffer.concat([Buffer.from(signature, 'latin1'), head]));
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const { local, remote } = await splitRecipients(
    ctx,
    session.envelope.rcptTo.map((r) => r.address),
  );
  const queued = remote.length > 0 || local.some((r) => r.forwards.length > 0);
  const whole = queued ? await wholeMessage(ctx, signed) : { body: signed, held: undefined };
  using _held = whole.held;
  const body = whole.body;
  const delivery: LocalDelivery = { body, envelopeFrom, recipients: local, auth: user.address, messageId: id };
  using plan = await planLocal(ctx, delivery);
  if (plan.refusal && remote.length === 0) throw plan.refusal;
  await Promise.all([
    deliverPlanned(ctx, delivery, plan),
    remote.length > 0
      ? enqueueRemote(ctx, session, { envelopeFrom, recipients: remote, body: body.inMemory ?? Buffer.alloc(0) })
      : null,
    user.mailboxId ? storeInMailbox(ctx, user.mailboxId, body, { folder: 'Sent', flags: ['\\Seen'] }) : null,
  ]);
  metrics.messages.inc({ direction: 'accepted' });
  ctx.logger.info(
    { component: 'submission', cid: session.id, id, user: user.address, local: local.length, remote: remote.length },
    'message submitted',
  );
  return `Ok: queued as ${id}`;
}
