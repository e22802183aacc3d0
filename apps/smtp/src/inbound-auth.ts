/**
 * Sender authentication of inbound mail through mailauth: SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC 7489)
 * and ARC (RFC 8617), reported in an Authentication-Results header (RFC 8601) and Received-SPF (RFC 7208 §9.1).
 * A DMARC failure under p=reject is refused (RFC 7489 §6.6.2 leaves rejection to the receiver; we honour it).
 */
import type { Readable } from 'node:stream';
import type { SmtpContext } from './deps.js';
import { mailauth } from './lazy-mailauth.js';
import type { ArcInput } from './routing.js';

export interface AuthenticationVerdict {
  /** Received-SPF and Authentication-Results, CRLF-terminated, to prepend. */
  headers: string;
  /** DMARC failed and the domain asks for reject. */
  dmarcReject: boolean;
  /** The policy the From domain's DMARC record asks for on failure ('none' without a record). */
  dmarcPolicy: string;
  arc: ArcInput | undefined;
  summary: { spf: string; dkim: string; dmarc: string; arc: string };
}

export interface ClientFacts {
  ip: string;
  helo: string;
  sender: string;
}

/** Authenticates the message as received (a stream: mailauth hashes it as it flows, never holding it whole). */
export async function checkSender(
  ctx: SmtpContext,
  message: Readable,
  client: ClientFacts,
): Promise<AuthenticationVerdict> {
  const { authenticate } = await mailauth();
  const result = await authenticate(message, {
    ip: client.ip,
    helo: client.helo,
    sender: client.sender,
    mta: ctx.config.hostname,
    resolver: ctx.dns.mailauth,
    disableBimi: true,
  });
  const dmarc = result.dmarc || undefined;
  const arc = result.arc || undefined;
  return {
    headers: result.headers,
    dmarcReject: dmarc?.status.result === 'fail' && dmarc.policy === 'reject',
    dmarcPolicy: dmarc?.policy ?? 'none',
    arc: arc?.authResults ? { cv: arc.status.result, authResults: arc.authResults } : undefined,
    summary: {
      spf: result.spf ? result.spf.status.result : 'none',
      dkim: result.dkim.results.map((r) => r.status.result).join(',') || 'none',
      dmarc: dmarc?.status.result ?? 'none',
      arc: arc?.status.result ?? 'none',
    },
  };
}
