/**
 * Who an authenticated submission user may send as (RFC 6409 §8.1 lets the MSA check the sender): their own
 * address and its +tag forms (RFC 5233), and what their alias's canSendAs grants (an exact address, or '*@domain'
 * for a whole domain), always in a verified domain of their own account. The envelope sender and every address
 * of From, Sender, Resent-From and Resent-Sender (RFC 5322 §3.6.2, §3.6.6) are checked, each parsed by
 * @mailyard/mail's address parser. A local part must be a plain dot-atom (RFC 5322 §3.4.1): a quoted or
 * '@'-laden one ('ceo@bank.test@example.test') is how a foreign address hides behind a domain of ours.
 */
import { normalizeDomain, stripSubaddress } from '@mailyard/control';
import type { SmtpContext } from './deps.js';
import type { WrittenAddress } from './message.js';

/** Header fields that name the author or sender of a message. */
export const IDENTITY_FIELDS = ['from', 'sender', 'resent-from', 'resent-sender'] as const;

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** What a login is allowed to send as (from the alias and domain it authenticated with). */
export interface SendingRights {
  /** Local part of the login address, lowercase. */
  local: string;
  /** ASCII domain of the login address. */
  domain: string;
  accountId: string;
  /** Alias.canSendAs: 'local@domain' and '*@domain' entries. */
  canSendAs: readonly string[];
}

export interface CanonicalAddress {
  local: string;
  domain: string;
}

/** Lowercase local part and ASCII domain, or null when the local part is not a dot-atom or the domain invalid. */
export function canonicalAddress(written: WrittenAddress): CanonicalAddress | null {
  if (written.local.length > 64 || !DOT_ATOM.test(written.local)) return null;
  const domain = normalizeDomain(written.domain);
  return domain ? { local: written.local.toLowerCase(), domain } : null;
}

/** An envelope address split at its last '@' (the local part is then checked like any other). */
export function envelopeAddress(address: string): WrittenAddress {
  const at = address.lastIndexOf('@');
  return at < 0 ? { local: address, domain: '' } : { local: address.slice(0, at), domain: address.slice(at + 1) };
}

function isGranted(rights: SendingRights, address: CanonicalAddress): boolean {
  const base = stripSubaddress(address.local) ?? address.local;
  if (address.domain === rights.domain && base === rights.local) return true;
  return rights.canSendAs.some(
    (entry) =>
      entry === `*@${address.domain}` ||
      entry === `${address.local}@${address.domain}` ||
      entry === `${base}@${address.domain}`,
  );
}

/** True when `written` is an address these rights cover, in a verified domain of the same account. */
export async function maySendAs(ctx: SmtpContext, rights: SendingRights, written: WrittenAddress): Promise<boolean> {
  const address = canonicalAddress(written);
  if (!address || !isGranted(rights, address)) return false;
  const domain = await ctx.control.findDomainByName(address.domain);
  return domain !== null && domain.accountId === rights.accountId && domain.verifiedAt !== null;
}

/**
 * What an account's API token may send as: an address that resolves to an alias (exact, +tag or catch-all) of a
 * verified domain the account owns. A token is the account owner's key, so every alias of theirs is theirs to use.
 */
export async function accountMaySendAs(ctx: SmtpContext, accountId: string, written: WrittenAddress): Promise<boolean> {
  const address = canonicalAddress(written);
  if (!address) return false;
  const domain = await ctx.control.findDomainByName(address.domain);
  if (!domain || domain.accountId !== accountId || domain.verifiedAt === null) return false;
  const resolved = await ctx.control.resolveRecipient(`${address.local}@${address.domain}`);
  return resolved !== null && resolved.domain.id === domain.id && resolved.alias.isEnabled;
}
