/**
 * The email that asks an alias's external forward recipient to confirm it wants the alias's mail (recipient
 * verification; control store alias_recipient_verifications). Written by us for the alias's domain: From
 * no-reply@<domain>, DKIM-signed by the domain's key, Auto-Submitted: auto-generated (RFC 3834 §5), and queued for
 * the outbound worker like any forward. The link carries the token; only its SHA-256 is stored. The link opens a
 * page whose button confirms (mail scanners open links by themselves), and the text says so.
 */
import { randomBytes } from 'node:crypto';
import type { SmtpContext } from './deps.js';
import { signFor } from './dkim-sign.js';
import { enqueueOutbound } from './outbound/enqueue.js';
import { bodyOf } from './received-message.js';

export interface VerificationRequest {
  /** The alias's address as people write it (`info@example.com`). */
  aliasAddress: string;
  /** The hosted domain (ASCII) that signs and sends it. */
  domain: string;
  recipient: string;
  /** The confirmation link, token included. */
  link: string;
}

/** The message text, CRLF line endings; 7-bit (the link and addresses are ASCII, the domain in punycode). */
export function verificationMessage(request: VerificationRequest, now = new Date()): Buffer {
  const lines = [
    `From: ${request.domain} forwarding <no-reply@${request.domain}>`,
    `To: <${request.recipient}>`,
    `Subject: Confirm forwarding from ${request.aliasAddress}`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${request.domain}>`,
    'Auto-Submitted: auto-generated',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: 7bit',
    '',
    `Mail sent to ${request.aliasAddress} is to be forwarded to ${request.recipient}.`,
    'Nothing is forwarded to this address until you confirm. Open this link and press',
    'the button on its page (opening the link alone changes nothing):',
    '',
    request.link,
    '',
    'If you did not expect this, ignore this message: nothing will be forwarded to you.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'ascii');
}

/** Signs and queues the verification email; resolves when the queue item is committed (its id). */
export async function sendVerificationRequest(ctx: SmtpContext, request: VerificationRequest): Promise<string> {
  const raw = verificationMessage(request);
  const signature = await signFor(ctx, request.domain, bodyOf(raw));
  const item = await enqueueOutbound(ctx, {
    envelopeFrom: `no-reply@${request.domain}`,
    recipients: [request.recipient],
    body: Buffer.concat([Buffer.from(signature, 'latin1'), raw]),
  });
  return item.id;
}
