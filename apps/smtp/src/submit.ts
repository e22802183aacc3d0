/**
 * The submission flow after DATA (RFC 6409): the From header must name the user's own domain, the message gets
 * a Received header, a Date and a Message-ID when it has none (RFC 6409 §8.2, §8.3; the Message-ID names the
 * user's domain) and a DKIM signature by that domain (RFC 6376, relaxed/relaxed, rsa-sha256), then local
 * recipients are delivered to their spools, remote ones queued, and a copy goes to the sender's Sent folder,
 * all durable before the 250 reply.
 */
import { randomBytes } from 'node:crypto';
import { type NewQueueItem, splitAddress } from '@mailyard/control';
import { ServerError } from '@mailyard/errors';
import { metrics } from '@mailyard/monitor';
import { dkimSign } from 'mailauth';
import type { SMTPServerSession } from 'smtp-server';
import { contentRefusal } from './content-checks.js';
import type { SmtpContext } from './deps.js';
import { newMessageId } from './inbound.js';
import { fromAddresses, headerFields, receivedHeader } from './message.js';
import { dsnOfSession } from './outbound/dsn.js';
import { deliverLocally, type LocalRecipient, resolveLocal } from './routing.js';
import type { SubmissionUser } from './server-state.js';
import { reply } from './smtp-reply.js';

async function signFor(ctx: SmtpContext, domain: string, message: Buffer): Promise<string> {
  const key = await ctx.control.getDkimKey(domain);
  if (!key) throw new ServerError(`no DKIM key for hosted domain ${domain}`);
  // mailauth 4.x signs only what is listed in signatureData; the top-level fields only satisfy its types.
  const signature = { signingDomain: domain, selector: key.selector, privateKey: key.privateKeyPem };
  const signed = await dkimSign(message, {
    ...signature,
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
    signatureData: [{ ...signature, canonicalization: 'relaxed/relaxed', algorithm: 'rsa-sha256' }],
  });
  if (signed.errors.length > 0 || !signed.signatures.startsWith('DKIM-Signature:')) {
    throw new ServerError(`DKIM signing failed for ${domain}`, { cause: signed.errors[0] });
  }
  return signed.signatures;
}

function checkFrom(raw: Buffer, user: SubmissionUser): void {
  const from = fromAddresses(raw);
  if (from.length === 0) throw reply(550, '5.6.0', 'Message has no From address');
  const foreign = from.find((address) => splitAddress(address)?.domain !== user.domain);
  if (foreign) throw reply(550, '5.7.1', `From address ${foreign} is not one of yours`);
}

/** RFC 6409 §8.2 and §8.3: the MSA may add a missing Date and Message-ID; they go after our Received header. */
export function missingOriginHeaders(raw: Buffer, domain: string, now = new Date()): string {
  const present = new Set(headerFields(raw).map((f) => f.key));
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

export async function acceptSubmission(ctx: SmtpContext, raw: Buffer, session: SMTPServerSession): Promise<string> {
  const refusal = contentRefusal(raw);
  if (refusal) throw refusal;
  const user = session.user as SubmissionUser;
  checkFrom(raw, user);
  const id = newMessageId();
  const received = receivedHeader({
    helo: session.hostNameAppearsAs || 'unknown',
    by: ctx.config.hostname,
    protocol: session.transmissionType,
    id,
  });
  const added = received + missingOriginHeaders(raw, user.domain);
  const traced = Buffer.concat([Buffer.from(added, 'latin1'), raw]);
  const signature = await signFor(ctx, user.domain, traced);
  const signed = Buffer.concat([Buffer.from(signature, 'latin1'), traced]);
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const { local, remote } = await splitRecipients(
    ctx,
    session.envelope.rcptTo.map((r) => r.address),
  );
  await Promise.all([
    deliverLocally(ctx, { raw: signed, addedHeaders: '', envelopeFrom, recipients: local }),
    remote.length > 0 ? enqueueRemote(ctx, session, { envelopeFrom, recipients: remote, body: signed }) : null,
    user.mailboxId ? ctx.mailstore.deliver(user.mailboxId, signed, { folder: 'Sent', flags: ['\\Seen'] }) : null,
  ]);
  metrics.messages.inc({ direction: 'accepted' });
  ctx.logger.info(
    { component: 'submission', cid: session.id, id, user: user.address, local: local.length, remote: remote.length },
    'message submitted',
  );
  return `Ok: queued as ${id}`;
}
