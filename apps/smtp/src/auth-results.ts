/**
 * Forged Authentication-Results (RFC 8601 §5): a field that names our own authserv-id (config hostname) claims
 * to come from inside our trust boundary, and only we add those. Such fields are removed from every message we
 * receive or accept for submission before ours is added, so a reader (or a filter) never trusts a verdict the
 * sender wrote. Fields naming other servers are kept (RFC 8601 §5 leaves them to the reader). ARC sets carry
 * their own ARC-Authentication-Results and are left alone: they are signed (RFC 8617).
 */
import type { HeaderField } from '@mailyard/mail';
import { headerFields } from './message.js';

/** The authserv-id of an Authentication-Results value (RFC 8601 §2.2): its first token, comments skipped. */
export function authservId(value: string): string {
  const withoutComments = value.replace(/\((?:[^()\\]|\\.)*\)/g, ' ').trim();
  const token = /^"((?:[^"\\]|\\.)*)"|^([^\s;]+)/.exec(withoutComments);
  return (token?.[1] ?? token?.[2] ?? '').replace(/\\(.)/g, '$1').toLowerCase();
}

function isForged(field: HeaderField, ourId: string): boolean {
  return field.name === 'authentication-results' && authservId(field.raw) === ourId;
}

/** The header block without Authentication-Results fields that claim `ourId`; the same Buffer when there are none. */
export function withoutForgedResults(header: Buffer, ourId: string): Buffer {
  const id = ourId.toLowerCase();
  const fields = headerFields(header);
  if (!fields.some((f) => isForged(f, id))) return header;
  const kept: Buffer[] = [];
  let at = 0;
  for (const field of fields.filter((f) => isForged(f, id))) {
    kept.push(header.subarray(at, field.start));
    at = field.end;
  }
  kept.push(header.subarray(at));
  return Buffer.concat(kept);
}
