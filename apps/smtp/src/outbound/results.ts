/** The outcome of one delivery attempt for one recipient, and how SMTP replies map onto it (RFC 5321 §4.2.1). */
import type { RecipientStatus } from '@mailyard/control';

export interface RecipientResult {
  address: string;
  status: Extract<RecipientStatus, 'delivered' | 'deferred' | 'failed'>;
  /** Remote reply or local reason, for the delivery log and the bounce. */
  diagnostic?: string;
  /** RFC 3463 status for the DSN, e.g. '5.1.1'. */
  statusCode?: string;
  /** The MX host that answered, for the DSN's Remote-MTA. */
  remoteMta?: string;
}

/** 4yz is transient, 5yz permanent (RFC 5321 §4.2.1); anything else (no reply at all) is transient. */
export function statusOfReply(code: number | undefined): 'deferred' | 'failed' {
  return code !== undefined && code >= 500 && code < 600 ? 'failed' : 'deferred';
}

/** The enhanced status code in a reply text, or a generic one for its class (RFC 3463 §3.1). */
export function enhancedOf(response: string | undefined, code: number | undefined): string {
  const match = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})/.exec(response ?? '');
  if (match?.[1]) return match[1];
  return statusOfReply(code) === 'failed' ? '5.0.0' : '4.0.0';
}

export function allWith(addresses: string[], result: Omit<RecipientResult, 'address'>): RecipientResult[] {
  return addresses.map((address) => ({ address, ...result }));
}
