/**
 * Domain names and mail addresses as the control store keys them: domains in lowercase ASCII (IDNA punycode,
 * RFC 5890/5891 via WHATWG domainToASCII), local parts lowercased, subaddresses split at '+' (RFC 5233).
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { isWebhookUrl, normalizeWebhookUrl } from './webhook-urls.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lowercase ASCII form of a domain name, or null when it is not a valid DNS host name with at least two labels. */
export function normalizeDomain(input: string): string | null {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '' || trimmed.length > 253 * 4) return null;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((label) => LABEL.test(label))) return null;
  const tld = labels[labels.length - 1] ?? '';
  if (/^[0-9]+$/.test(tld)) return null;
  return ascii;
}

export function domainToDisplay(ascii: string): string {
  return domainToUnicode(ascii) || ascii;
}

export interface SplitAddress {
  local: string;
  domain: string;
}

/** Splits at the last '@'; the domain is normalized, the local part lowercased. */
export function splitAddress(address: string): SplitAddress | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  const domain = normalizeDomain(address.slice(at + 1));
  if (!domain) return null;
  return { local: address.slice(0, at).toLowerCase(), domain };
}

/** RFC 5233 subaddress: `user+tag` -> `user`; null when there is no tag to strip. */
export function stripSubaddress(local: string): string | null {
  const plus = local.indexOf('+');
  return plus > 0 ? local.slice(0, plus) : null;
}

// RFC 5322 §3.2.3 dot-atom text without '+', which is reserved for subaddresses (RFC 5233).
const LOCAL_PART = /^[a-z0-9!#$%&'*/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*/=?^_`{|}~-]+)*$/;

/** Alias names: '*' (catch-all) or a lowercase dot-atom local part of at most 64 octets (RFC 5321 §4.5.3.1.1). */
export function isValidAliasName(name: string): boolean {
  if (name === '*') return true;
  return name.length <= 64 && LOCAL_PART.test(name);
}

/** A forwarding recipient: local@domain with a valid domain, or a webhook URL (webhook-urls.ts). */
export function normalizeRecipient(address: string): string | null {
  if (isWebhookUrl(address)) return normalizeWebhookUrl(address);
  const parts = splitAddress(address.trim());
  if (!parts || parts.local.length > 64 || /[\s<>()[\]\\,;:"@]/.test(parts.local)) return null;
  return `${parts.local}@${parts.domain}`;
}
