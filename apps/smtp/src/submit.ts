/**
 * The submission flow after DATA (RFC 6409): the From header must name the user's own domain, the message gets
 * a Received header and a DKIM signature by that domain (RFC 6376, relaxed/relaxed, rsa-sha256), then local
 * recipients are delivered to their spools, remote ones queued, and a copy goes to the sender's Sent folder,
 * all durable before the 250 reply.
 */
import { splitAddress } from '@mailyard/control';
import { ServerError } from '@mailyard/errors';
import { metrics } from '@mailyard/monitor';
import { dkimSign } from 'mailauth';
import type { SMTPServerSession } from 'smtp-server';
import { contentRefusal } from './content-checks.js';
import type { SmtpContext } from './deps.js';
import { newMessageId } from './inbound.js';
import { fromAddresses, receivedHeader } from './message.js';
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
  const traced = Buffer.concat([Buffer.from(received, 'latin1'), raw]);
  const signature = await signFor(ctx, user.domain, traced);
  const signed = Buffer.concat([Buffer.from(signature, 'latin1'), traced]);
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const { local, remote } = await splitRecipients(
    ctx,
    session.envelope.rcptTo.map((r) => r.address),
  );
  await Promise.all([
    deliverLocally(ctx, { raw: signed, addedHeaders: '', envelopeFrom, recipients: local }),
    remote.length > 0 ? ctx.control.enqueue({ envelopeFrom, recipients: remote, body: signed }) : null,
    user.mailboxId ? ctx.mailstore.deliver(user.mailboxId, signed, { folder: 'Sent', flags: ['\\Seen'] }) : null,
  ]);
  metrics.messages.inc({ direction: 'accepted' });
  ctx.logger.info(
    { component: 'submission', cid: session.id, id, user: user.address, local: local.length, remote: remote.length },
    'message submitted',
  );
  return `Ok: queued as ${id}`;
}
