// check-domains: re-verifies the DNS records of every hosted domain through the same checker the API and the
// dashboard use (@mailyard/control checkRecords), stores each result with recordDnsCheck, and alerts when a
// domain that verified before no longer does (records removed or changed: mail for it may bounce or fail DMARC).
// A DNS failure (timeout, SERVFAIL) is not a verdict on the domain: its last stored result is kept.
import { type ControlStore, checkRecords, type Domain, type TxtMxResolver } from '@mailyard/control';
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
  control: Pick<ControlStore, 'recordDnsCheck'>,
  domain: Domain,
  opts: { hostname: string; resolver: TxtMxResolver; alert: AlertFn; now: () => Date },
): Promise<boolean> {
  const records = await checkRecords(domain, opts.hostname, opts.resolver);
  const allOk = records.every((record) => record.status === 'ok');
  const summary = records.map(({ purpose, type, name, status }) => ({ purpose, type, name, status }));
  await control.recordDnsCheck(domain.id, { checkedAt: opts.now(), allOk, records: summary });
  if (!allOk && domain.lastDnsCheck?.allOk) {
    const broken = summary.filter((record) => record.status !== 'ok');
    opts.alert('warn', `DNS records of ${domain.name} no longer verify`, { domain: domain.name, records: broken });
  }
  return allOk;
}

export async function recheckDomains(
  control: Pick<ControlStore, 'listAllDomains' | 'recordDnsCheck'>,
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
