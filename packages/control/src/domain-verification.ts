/**
 * Checking a domain's DNS records and what the result does to its verification. Shared by the REST API
 * (GET /v1/domains/:domain/verify-records), the dashboard's Verify button, the CLI (`dns --check`) and the hourly
 * check-domains job, so the rule lives in one place:
 * - the ownership TXT record (`mailyard-verification=<token>` at the domain's apex) found: the domain becomes
 *   verified by 'dns' and so hosted for routing;
 * - that record gone or wrong on a lookup that succeeded: a DNS verification is withdrawn (keep the record
 *   published; whoever holds the domain's DNS now decides). An administrator's or the migration's mark stays;
 * - a failed lookup (timeout, SERVFAIL) is no verdict: checkRecords throws ExternalError and nothing is stored.
 * The other records (MX, SPF, DKIM, DMARC) are reported but do not decide verification.
 */
import { type CheckedRecord, checkRecords, type TxtMxResolver } from './dns-records.js';
import type { ControlStore, Domain } from './types.js';

export interface DomainCheck {
  /** The domain after the check (verification updated). */
  domain: Domain;
  records: CheckedRecord[];
  allOk: boolean;
  checkedAt: Date;
  /** What the check changed about verification, if anything. */
  change: 'verified' | 'withdrawn' | null;
}

/** What the ownership record says should happen to the domain's verification. */
function verificationChange(domain: Domain, records: CheckedRecord[]): DomainCheck['change'] {
  const owned = records.some((record) => record.purpose === 'verification' && record.status === 'ok');
  if (owned && !domain.verifiedAt) return 'verified';
  if (!owned && domain.verifiedBy === 'dns') return 'withdrawn';
  return null;
}

export async function checkDomain(
  control: Pick<ControlStore, 'recordDnsCheck' | 'setDomainVerification'>,
  domain: Domain,
  opts: { hostname: string; resolver: TxtMxResolver; now?: Date },
): Promise<DomainCheck> {
  const records = await checkRecords(domain, opts.hostname, opts.resolver);
  const checkedAt = opts.now ?? new Date();
  const allOk = records.every((record) => record.status === 'ok');
  const summary = records.map(({ purpose, type, name, status }) => ({ purpose, type, name, status }));
  await control.recordDnsCheck(domain.id, { checkedAt, allOk, records: summary });
  const change = verificationChange(domain, records);
  const lastDnsCheck = { checkedAt, allOk, records: summary };
  let updated: Domain = { ...domain, lastDnsCheck };
  if (change) {
    const marked = await control.setDomainVerification(domain.id, change === 'verified' ? 'dns' : null);
    if (marked) updated = marked;
  }
  return { domain: updated, records, allOk, checkedAt, change };
}
