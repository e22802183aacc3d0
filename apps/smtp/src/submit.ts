/**
 * The submission flow after DATA (RFC 6409), shared by SMTP submission and the REST API's POST /v1/emails: every
 * From/Sender address must be one the sender may send as (send-as.ts), forged Authentication-Results are removed
 * (RFC 8601 §5), the message gets a Received header, a Date and a Message-ID when it has none (RFC 6409 §8.2, §8.3;
 * the Message-ID names the sender's domain) and a DKIM signature by the From domain (RFC 6376, relaxed/relaxed,
 * rsa-sha256), then local recipients are delivered to their spools, remote ones queued (a domain counts as local
 * only once verified, so mail to an unverified one goes out by MX), and a copy goes to the sender's Sent folder
 * when the sender has a mailbox, all durable before the reply. Local recipients' Sieve scripts run as for mail
 * from outside (sieve-delivery.ts); when every recipient is local and each one's script rejects, the reply is
 * their 550 and nothing is stored, not even the Sent copy. Local recipients' mailbox quotas are checked again with
 * the signed message's real size, as the MX does (quota-check.ts): recipients that no longer fit are left out and
 * the sender gets a DSN (5.2.2) for each; when that leaves no recipient at all, the reply is their refusal (452
 * 4.2.2, or 552 5.2.2 for a message larger than the whole quota) and nothing is stored, not even the Sent copy.
 * A large message is signed and stored as a stream; only the queued copy is read whole, within the byte budget.
 */
import { randomBytes } from 'node:crypto';
import { type QueueDsn, splitAddress } from '@mailyard/control';
import { headerText } from '@mailyard/mail';
import { metrics } from '@mailyard/monitor';
import type { SMTPServerSession } from 'smtp-server';
import { withoutForgedResults } from './auth-results.js';
import { contentRefusal } from './content-checks.js';
import type { SmtpContext } from './deps.js';
import { signFor } from './dkim-sign.js';
import { newMessageId } from './inbound.js';
import { addressesIn, headerFields, receivedHeader, type WrittenAddress } from './message.js';
import { dsnOfSession } from './outbound/dsn.js';
import { enqueueOutbound } from './outbound/enqueue.js';
import { sendQuotaNotices, splitByQuota } from './quota-check.js';
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

/** Who submits a message: what they may send as, and where their Sent copy goes. */
export interface Submitter {
  /** The login (an alias address, or the account's email for an API token): logs and Sieve's envelope "auth". */
  login: string;
  /** Domain of a Message-ID we add when the message has none (the sender's). */
  domain: string;
  /** True when `written` (an identity address of the header) is one this sender may use. */
  maySendAs(written: WrittenAddress): Promise<boolean>;
  /** The mailbox that gets the Sent copy; null for none (an API token cannot open a mailbox: zero-access). */
  sentMailboxId: string | null;
}

export interface Submission {
  message: ReceivedMessage;
  envelopeFrom: string;
  recipients: string[];
  submitter: Submitter;
  /** For the Received header: the client's EHLO name and the RFC 3848 protocol (ESMTPSA, HTTPSA...). */
  helo: string;
  protocol: string;
  /** DSN parameters (RFC 3461) of the remote recipients, when they came with any. */
  dsnFor?: (remote: string[]) => QueueDsn | undefined;
  /** Connection or request id for the log. */
  cid?: string;
}

export interface Submitted {
  /** Our id of the message (the Received header's `id`). */
  id: string;
  /** The Message-ID field of the stored message, without angle brackets ('' when unreadable). */
  messageId: string;
  /** Hosted recipients it was delivered to. */
  local: string[];
  /** Hosted recipients left out because the message does not fit their mailbox quota (the sender gets a DSN). */
  overQuota: string[];
  /** Recipients elsewhere, queued. */
  remote: string[];
  /** The outbound queue item of the remote recipients, when there are any. */
  queueId: string | null;
}

/**
 * Checks every identity address of the header (550 5.7.1 for one the sender may not use, 550 5.6.0 without a
 * From) and returns the domain to sign with: the first From address's (a verified domain of the sender's account).
 */
async function checkIdentity(header: Buffer, submitter: Submitter): Promise<string> {
  const from = addressesIn(header, ['from']);
  if (from.length === 0) throw reply(550, '5.6.0', 'Message has no From address');
  for (const written of addressesIn(header, IDENTITY_FIELDS)) {
    if (!(await submitter.maySendAs(written))) {
      const shown = written.local ? `${written.local}@${written.domain}` : '(empty group)';
      throw reply(550, '5.7.1', `From/Sender address ${shown} is not one of yours`);
    }
  }
  return canonicalAddress(from[0] ?? { local: '', domain: '' })?.domain ?? submitter.domain;
}

/** RFC 6409 §8.2 and §8.3: the MSA may add a missing Date and Message-ID; they go after our Received header. */
export function missingOriginHeaders(raw: Buffer, domain: string, now = new Date()): string {
  const present = new Set(headerFields(raw).map((f) => f.name));
  const date = present.has('date') ? '' : `Date: ${now.toUTCString().replace('GMT', '+0000')}\r\n`;
  const id = present.has('message-id') ? '' : `Message-ID: <${randomBytes(16).toString('hex')}@${domain}>\r\n`;
  return date + id;
}

function messageIdOf(head: Buffer): string {
  const field = headerFields(head).find((f) => f.name === 'message-id');
  return field ? headerText(field.raw).trim().replace(/^<|>$/g, '') : '';
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

/** Signs, delivers, queues and files a submitted message; resolves once every copy is durable. */
export async function submitMessage(ctx: SmtpContext, s: Submission): Promise<Submitted> {
  const { message, submitter } = s;
  const refusal = contentRefusal(message, ctx.limits.maxReceivedHeaders);
  if (refusal) throw refusal;
  const signingDomain = await checkIdentity(message.header, submitter);
  const id = newMessageId();
  const received = receivedHeader({ helo: s.helo, by: ctx.config.hostname, protocol: s.protocol, id });
  const head = Buffer.concat([
    Buffer.from(received + missingOriginHeaders(message.header, submitter.domain), 'latin1'),
    withoutForgedResults(message.header, ctx.config.hostname),
  ]);
  const signature = await signFor(ctx, signingDomain, message.withHead(head));
  const signed = message.withHead(Buffer.concat([Buffer.from(signature, 'latin1'), head]));
  const split = await splitRecipients(ctx, s.recipients);
  const { remote } = split;
  // The quota re-check after DATA, as at the MX: the size is the signed message's, what each mailbox would hold.
  const quota = await splitByQuota(ctx, split.local, signed.size);
  if (quota.refusal && remote.length === 0) throw quota.refusal;
  const local = quota.within;
  const queued = remote.length > 0 || local.some((r) => r.forwards.length > 0);
  const whole = queued ? await wholeMessage(ctx, signed) : { body: signed, held: undefined };
  using _held = whole.held;
  const body = whole.body;
  const delivery: LocalDelivery = {
    body,
    envelopeFrom: s.envelopeFrom,
    recipients: local,
    auth: submitter.login,
    messageId: id,
  };
  using plan = await planLocal(ctx, delivery);
  if (plan.refusal && remote.length === 0) throw plan.refusal;
  const dsn = remote.length > 0 ? s.dsnFor?.(remote) : undefined;
  const sent = submitter.sentMailboxId;
  const [, item] = await Promise.all([
    deliverPlanned(ctx, delivery, plan),
    remote.length > 0
      ? enqueueOutbound(ctx, {
          envelopeFrom: s.envelopeFrom,
          recipients: remote,
          body: body.inMemory ?? Buffer.alloc(0),
          ...(dsn ? { dsn } : {}),
        })
      : null,
    sent ? storeInMailbox(ctx, sent, body, { folder: 'Sent', flags: ['\\Seen'] }) : null,
  ]);
  await sendQuotaNotices(ctx, quota.over, { envelopeFrom: s.envelopeFrom, messageId: id, header: head });
  metrics.messages.inc({ direction: 'accepted' });
  const overQuota = quota.over.map((o) => o.recipient.address);
  ctx.logger.info(
    {
      component: 'submission',
      cid: s.cid,
      id,
      user: submitter.login,
      local: local.length,
      remote: remote.length,
      ...(overQuota.length > 0 ? { overQuota: overQuota.length } : {}),
    },
    'message submitted',
  );
  return {
    id,
    messageId: messageIdOf(head),
    local: local.map((r) => r.address),
    overQuota,
    remote,
    queueId: item?.id ?? null,
  };
}

/** SMTP submission after DATA: the authenticated user of the session submits. */
export async function acceptSubmission(
  ctx: SmtpContext,
  message: ReceivedMessage,
  session: SMTPServerSession,
): Promise<string> {
  const user = session.user as SubmissionUser;
  const { id } = await submitMessage(ctx, {
    message,
    envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    recipients: session.envelope.rcptTo.map((r) => r.address),
    submitter: {
      login: user.address,
      domain: user.domain,
      maySendAs: (written) => maySendAs(ctx, user, written),
      sentMailboxId: user.mailboxId,
    },
    helo: session.hostNameAppearsAs || 'unknown',
    protocol: session.transmissionType,
    dsnFor: (remote) => dsnOfSession(session, remote),
    cid: session.id,
  });
  return `Ok: queued as ${id}`;
}
