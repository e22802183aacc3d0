// Address parts for the address and envelope tests (RFC 5228 §2.7.4: :all :localpart :domain) and subaddress
// (RFC 5233 §4: :user :detail with "+" as the separator), and the address checks of redirect and vacation.

import { parseAddressList } from '@mailyard/mail';

export type AddressPart = 'all' | 'localpart' | 'domain' | 'user' | 'detail';

/** The separator between user and detail (RFC 5233 §3 leaves it to the site; "+" is Mailyard's everywhere). */
export const DETAIL_SEPARATOR = '+';

/** A plain address split into local part and domain ("" when there is none). */
export interface PlainAddress {
  local: string;
  domain: string;
}

/**
 * Parsed address headers by value: a rule list tests From and To many times per message (address :domain,
 * :localpart ...), and parsing dominated such runs. Bounded; emptied when full. Results are never mutated.
 */
const PARSED = new Map<string, readonly PlainAddress[]>();
const MAX_PARSED = 256;

/** Every mailbox of an address header, group members included; empty groups add nothing (RFC 5228 §5.1). */
export function headerAddresses(value: string): readonly PlainAddress[] {
  const cached = PARSED.get(value);
  if (cached) return cached;
  const parsed = parseAddresses(value);
  if (PARSED.size >= MAX_PARSED) PARSED.clear();
  PARSED.set(value, parsed);
  return parsed;
}

function parseAddresses(value: string): PlainAddress[] {
  const out: PlainAddress[] = [];
  for (const entry of parseAddressList(value)) {
    const mailboxes = entry.kind === 'group' ? entry.members : [entry];
    for (const m of mailboxes) {
      if (m.mailbox === '' && m.host === '') continue;
      out.push({ local: m.mailbox, domain: m.host });
    }
  }
  return out;
}

/** An envelope address ("" for the null reverse-path, RFC 5228 §5.4) split at its last "@". */
export function splitAddress(address: string): PlainAddress {
  const bare = address.replace(/^<|>$/g, '');
  const at = bare.lastIndexOf('@');
  return at < 0 ? { local: bare, domain: '' } : { local: bare.slice(0, at), domain: bare.slice(at + 1) };
}

/** The requested part, or null when the address has none (:detail without a separator, RFC 5233 §4). */
export function addressPart(address: PlainAddress, part: AddressPart): string | null {
  switch (part) {
    case 'localpart':
      return address.local;
    case 'domain':
      return address.domain;
    case 'user': {
      const i = address.local.indexOf(DETAIL_SEPARATOR);
      return i < 0 ? address.local : address.local.slice(0, i);
    }
    case 'detail': {
      const i = address.local.indexOf(DETAIL_SEPARATOR);
      return i < 0 ? null : address.local.slice(i + 1);
    }
    default:
      return address.domain === '' ? address.local : `${address.local}@${address.domain}`;
  }
}

const ATOM_TEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** A redirect or vacation address must be a plain addr-spec local@domain (RFC 5228 §4.2, RFC 5322 §3.4.1). */
export function isValidAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || address.length > 254) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const localOk = ATOM_TEXT.test(local) || /^"(?:[^"\\\r\n]|\\.)*"$/.test(local);
  return (
    localOk && (DOMAIN.test(domain) || /^\[[^\]\s]+\]$/.test(domain) || [...domain].some((c) => c.charCodeAt(0) > 0x7f))
  );
}

/**
 * The addr-spec of a redirect target or vacation :from: a plain address, or one mailbox with a display name
 * ("Bob <bob@example.com>", as Pigeonhole accepts it); null when it is not exactly one valid address.
 */
export function mailboxAddress(text: string): string | null {
  const trimmed = text.trim();
  if (isValidAddress(trimmed)) return trimmed;
  const found = headerAddresses(trimmed);
  if (found.length !== 1) return null;
  const only = found[0] as PlainAddress;
  const address = `${only.local}@${only.domain}`;
  return isValidAddress(address) ? address : null;
}
