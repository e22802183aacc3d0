// check-domains: re-verifies the DNS records of every hosted domain through the same check the API and the
// dashboard use (@mailyard/control checkDomain), which stores each result and updates verification: a domain
// whose ownership TXT record appeared becomes verified (hosted for routing) within the hour, and one whose record
// disappeared loses a DNS verification. It alerts when a domain that verified before no longer does (records
// removed or changed: mail for it may bounce or fail DMARC) and when its DNS verification is withdrawn.
// A DNS failure (timeout, SERVFAIL) is not a verdict on the domain: its last stored result is kept.
import { type ControlStore, checkDomain, type Domain, type TxtMxResolver } from '@mailyard/control';
import { ExternalError } from '@mailyard/errors';
import type { AlertFn } from './alert.js';

export interface DomainCheckReport {
  domains: number;
  verified: number;
  failing: string[];
  unreachable: string[];
  [key: string]: unknown;
}

async function recheck(
  control: Pick<ControlStore, 'recordDnsCheck' | 'setDomainVerification'>,
  domain: Domain,
  opts: { hostname: string; resolver: TxtMxResolver; alert: AlertFn; now: () => Date },
): Promise<boolean> {
  const checked = await checkDomain(control, domain, { ...opts, now: opts.now() });
  const broken = checked.records
    .filter((record) => record.status !== 'ok')
    .map(({ purpose, type, name, status }) => ({ purpose, type, name, status }));
  if (!checked.allOk && domain.lastDnsCheck?.allOk) {
    opts.alert('warn', `DNS records of ${domain.name} no longer verify`, { domain: domain.name, records: broken });
  }
  if (checked.change === 'withdrawn') {
    opts.alert('warn', `${domain.name} lost its verification: its TXT record is gone, so it no longer receives mail`, {
      domain: domain.name,
    });
  }
  return checked.allOk;
}

export async function recheckDomains(
  control: Pick<ControlStore, 'listAllDomains' | 'recordDnsCheck' | 'setDomainVerification'>,
  opts: { hostname: string; resolver: TxtMxResolver; alert: AlertFn; now?: () => Date },
): Promise<DomainCheckReport> {
  const now = opts.now ?? (() => new Date());
  const domains = await control.listAllDomains();
  const report: DomainCheckReport = { domains: domains.length, verified: 0, failing: [], unreachable: [] };
  for (const domain of domains) {
    try {
      if (await recheck(control, domain, { ...opts, now })) report.verified += 1;
      else report.failing.push(domain.name);
    } catch (err) {
      if (!(err instanceof ExternalError)) throw err;
      report.unreachable.push(domain.name);
    }
  }
  return report;
}
