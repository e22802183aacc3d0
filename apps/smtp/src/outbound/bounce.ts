/**
 * Delivery status notifications (RFC 3464) for recipients that failed for good: a multipart/report
 * (RFC 6522) with a human-readable part, a message/delivery-status part and the original headers
 * (text/rfc822-headers), or the whole original (message/rfc822) when the sender asked for RET=FULL (RFC 3461
 * §4.3). ENVID and ORCPT come back as Original-Envelope-Id and Original-Recipient (RFC 3464 §2.2.1, §2.3.1). Sent with the null envelope sender (RFC 5321 §4.5.5), so a bounce never bounces.
 */
import { randomBytes } from 'node:crypto';
import type { QueueDsn } from '@mailyard/control';
import { headerBlock } from '../message.js';
import type { RecipientResult } from './results.js';

export interface BounceInput {
  /** Our host name: Reporting-MTA and the MAILER-DAEMON address. */
  hostname: string;
  /** Envelope sender of the failed message: the bounce's recipient. */
  to: string;
  queueId: string;
  arrivalDate: Date;
  failed: RecipientResult[];
  original: Buffer;
  /** The DSN parameters the message came with (RFC 3461). */
  dsn?: QueueDsn;
}

function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

function humanPart(input: BounceInput): string {
  const lines = input.failed.map((r) => `  <${r.address}>: ${oneLine(r.diagnostic ?? 'delivery failed')}`);
  return [
    `This is the mail system at ${input.hostname}.`,
    '',
    'Your message could not be delivered to one or more recipients. It has been returned to you with',
    'the reasons below.',
    '',
    ...lines,
    '',
  ].join('\r\n');
}

/** RFC 3464 §2.3.1: the ORCPT as given, "address-type;address". */
function originalRecipient(dsn: QueueDsn | undefined, address: string): string[] {
  const orcpt = dsn?.recipients?.[address]?.orcpt;
  if (!orcpt?.includes(';')) return [];
  const at = orcpt.indexOf(';');
  return [`Original-Recipient: ${oneLine(orcpt.slice(0, at))}; ${oneLine(orcpt.slice(at + 1))}`];
}

/** RFC 3464 §2.2 per-message and §2.3 per-recipient fields. */
function statusPart(input: BounceInput): string {
  const envid = input.dsn?.envid;
  const perMessage = [
    ...(envid ? [`Original-Envelope-Id: ${oneLine(envid)}`] : []),
    `Reporting-MTA: dns; ${input.hostname}`,
    `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`,
    `X-Mailyard-Queue-ID: ${input.queueId}`,
  ].join('\r\n');
  const perRecipient = input.failed.map((r) =>
    [
      ...originalRecipient(input.dsn, r.address),
      `Final-Recipient: rfc822; ${r.address}`,
      'Action: failed',
      `Status: ${r.statusCode?.startsWith('5') ? r.statusCode : '4.4.7'}`,
      ...(r.remoteMta ? [`Remote-MTA: dns; ${r.remoteMta}`] : []),
      `Diagnostic-Code: smtp; ${oneLine(r.diagnostic ?? 'delivery failed')}`,
    ].join('\r\n'),
  );
  return [perMessage, ...perRecipient].join('\r\n\r\n');
}

/** RET=FULL returns the whole message; otherwise (RET=HDRS, or no RET) only its header. */
function returnedPart(input: BounceInput): Buffer {
  if (input.dsn?.ret !== 'FULL') {
    return Buffer.from(`Content-Type: text/rfc822-headers\r\n\r\n${headerBlock(input.original)}`, 'latin1');
  }
  return Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n'), input.original]);
}

export function buildBounce(input: BounceInput): Buffer {
  const boundary = `=_mailyard_${randomBytes(12).toString('hex')}`;
  const headers = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: <${input.to}>`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${rfc5322Date(new Date())}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${input.hostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ].join('\r\n');
  const parts = [
    Buffer.from(`Content-Type: text/plain; charset=utf-8\r\n\r\n${humanPart(input)}`, 'utf8'),
    Buffer.from(`Content-Type: message/delivery-status\r\n\r\n${statusPart(input)}\r\n`, 'utf8'),
    returnedPart(input),
  ];
  return Buffer.concat([
    Buffer.from(`${headers}\r\n\r\n`, 'utf8'),
    ...parts.flatMap((p) => [Buffer.from(`--${boundary}\r\n`), p, Buffer.from('\r\n')]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
}
