/** Entities as JSON on the wire: snake_case, ISO 8601 times, domains in ASCII (`name`) and Unicode (`name_unicode`). */
import {
  type Account,
  type Alias,
  type ApiToken,
  type Domain,
  domainToDisplay,
  expectedRecords,
} from '@mailyard/control';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentAccount(account: Account) {
  return { id: account.id, email: account.email, is_admin: account.isAdmin, created_at: iso(account.createdAt) };
}

export function presentToken(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    created_at: iso(token.createdAt),
    last_used_at: iso(token.lastUsedAt),
    revoked_at: iso(token.revokedAt),
  };
}

export function presentDomain(domain: Domain, hostname: string) {
  const check = domain.lastDnsCheck;
  return {
    id: domain.id,
    name: domain.name,
    name_unicode: domainToDisplay(domain.name),
    dkim_selector: domain.dkimSelector,
    dmarc_policy: domain.dmarcPolicy,
    description: domain.description,
    verified: domain.verifiedAt !== null,
    verified_at: iso(domain.verifiedAt),
    verified_by: domain.verifiedBy,
    verification_token: domain.verificationToken,
    last_dns_check: check ? { checked_at: iso(check.checkedAt), all_ok: check.allOk, records: check.records } : null,
    created_at: iso(domain.createdAt),
    dns_records: expectedRecords(domain, hostname),
    has_recipient_verification: domain.hasRecipientVerification,
  };
}

export function presentDomainSummary(domain: Domain) {
  return {
    id: domain.id,
    name: domain.name,
    name_unicode: domainToDisplay(domain.name),
    dmarc_policy: domain.dmarcPolicy,
    description: domain.description,
    verified: domain.verifiedAt !== null,
    created_at: iso(domain.createdAt),
  };
}

export function presentAlias(alias: Alias, domain: Domain) {
  return {
    id: alias.id,
    name: alias.name,
    address: `${alias.name}@${domainToDisplay(domain.name)}`,
    recipients: alias.recipients,
    has_imap: alias.hasImap,
    is_enabled: alias.isEnabled,
    description: alias.description,
    has_mailbox: alias.mailboxId !== null,
    labels: alias.labels,
    error_code_if_disabled: alias.errorCodeIfDisabled,
    has_recipient_verification: alias.hasRecipientVerification,
    pattern_kind: alias.patternKind,
    created_at: iso(alias.createdAt),
    updated_at: iso(alias.updatedAt),
  };
}
