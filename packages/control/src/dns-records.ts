/**
 * The DNS records a hosted domain publishes, and their verification against a resolver.
 * MX (RFC 5321 §5.1), SPF (RFC 7208), DKIM key record (RFC 6376 §3.6.1), DMARC (RFC 7489 §6.3) and our ownership
 * token. Mail leaves with the hosted domain itself as envelope sender, so no separate return-path record is needed.
 * Shared by the REST API, the dashboard and the CLI.
 */
import { promises as dns } from 'node:dns';
import { type Config, parseResolver } from '@mailyard/config';
import { ExternalError } from '@mailyard/errors';
import type { Domain } from './types.js';

export type RecordPurpose = 'mx' | 'spf' | 'dkim' | 'dmarc' | 'verification';

export interface DnsRecord {
  purpose: RecordPurpose;
  type: 'MX' | 'TXT';
  name: string;
  value: string;
  priority?: number;
}

export interface CheckedRecord extends DnsRecord {
  status: 'ok' | 'missing' | 'wrong';
  found: string[];
}

/** The part of node:dns's promise Resolver we use; tests pass a real Resolver pointed at their own server. */
export type TxtMxResolver = Pick<dns.Resolver, 'resolveMx' | 'resolveTxt'>;

/** node:dns's resolver with the configured timeout, pointed at config.dns.resolver when set. */
export function defaultResolver(config: Pick<Config, 'dns'>): TxtMxResolver {
  const resolver = new dns.Resolver({ timeout: config.dns.timeoutMs, tries: 2 });
  const server = config.dns.resolver ? parseResolver(config.dns.resolver) : undefined;
  if (server) {
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    resolver.setServers([`${host}:${server.port}`]);
  }
  return resolver;
}

export const VERIFICATION_PREFIX = 'mailyard-verification=';

export function expectedRecords(domain: Domain, hostname: string): DnsRecord[] {
  const name = domain.name;
  return [
    { purpose: 'mx', type: 'MX', name, value: hostname, priority: 10 },
    { purpose: 'spf', type: 'TXT', name, value: 'v=spf1 mx -all' },
    {
      purpose: 'dkim',
      type: 'TXT',
      name: `${domain.dkimSelector}._domainkey.${name}`,
      value: `v=DKIM1; k=rsa; p=${domain.dkimPublicKey}`,
    },
    { purpose: 'dmarc', type: 'TXT', name: `_dmarc.${name}`, value: `v=DMARC1; p=${domain.dmarcPolicy}` },
    { purpose: 'verification', type: 'TXT', name, value: `${VERIFICATION_PREFIX}${domain.verificationToken}` },
  ];
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'NODATA']);

async function lookup<T>(query: () => Promise<T[]>): Promise<T[]> {
  try {
    return await query();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (ABSENT.has(code)) return [];
    throw new ExternalError(`DNS lookup failed (${code || 'error'})`, { cause: err });
  }
}

/** `tag=value` pairs of a DKIM or DMARC record (RFC 6376 §3.2), whitespace removed from values. */
function tags(record: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return map;
}

const sameHost = (a: string, b: string) => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

type Judge = (found: string[]) => 'ok' | 'missing' | 'wrong';

function judgeMx(hostname: string): Judge {
  return (found) => (found.length === 0 ? 'missing' : found.some((mx) => sameHost(mx, hostname)) ? 'ok' : 'wrong');
}

function judgeSpf(hostname: string): Judge {
  return (found) => {
    const spf = found.filter((txt) => /^v=spf1(\s|$)/i.test(txt));
    if (spf.length === 0) return 'missing';
    if (spf.length > 1) return 'wrong'; // RFC 7208 §4.5: more than one record is a permerror
    const terms = (spf[0] ?? '').toLowerCase().split(/\s+/);
    return terms.includes('mx') || terms.includes(`a:${hostname.toLowerCase()}`) ? 'ok' : 'wrong';
  };
}

function judgeTagged(version: string, wanted: Record<string, string>): Judge {
  return (found) => {
    const records = found.map(tags).filter((t) => t.get('v')?.toLowerCase() === version.toLowerCase());
    if (records.length === 0) return 'missing';
    const matches = (t: Map<string, string>) => Object.entries(wanted).every(([k, v]) => t.get(k) === v);
    return records.some(matches) ? 'ok' : 'wrong';
  };
}

function judgeVerification(token: string): Judge {
  return (found) => {
    const ours = found.filter((txt) => txt.startsWith(VERIFICATION_PREFIX));
    if (ours.length === 0) return 'missing';
    return ours.includes(`${VERIFICATION_PREFIX}${token}`) ? 'ok' : 'wrong';
  };
}

function judgeFor(record: DnsRecord, domain: Domain, hostname: string): Judge {
  switch (record.purpose) {
    case 'mx':
      return judgeMx(hostname);
    case 'spf':
      return judgeSpf(hostname);
    case 'dkim':
      return judgeTagged('DKIM1', { p: domain.dkimPublicKey });
    case 'dmarc':
      return judgeTagged('DMARC1', { p: domain.dmarcPolicy });
    case 'verification':
      return judgeVerification(domain.verificationToken);
  }
}

async function foundValues(record: DnsRecord, resolver: TxtMxResolver): Promise<string[]> {
  if (record.type === 'MX') return (await lookup(() => resolver.resolveMx(record.name))).map((mx) => mx.exchange);
  // A TXT record may be split into several character-strings; they are joined (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
  return (await lookup(() => resolver.resolveTxt(record.name))).map((chunks) => chunks.join(''));
}

export async function checkRecords(
  domain: Domain,
  hostname: string,
  resolver: TxtMxResolver,
): Promise<CheckedRecord[]> {
  const expected = expectedRecords(domain, hostname);
  return Promise.all(
    expected.map(async (record) => {
      const found = await foundValues(record, resolver);
      const relevant =
        record.purpose === 'verification' || record.purpose === 'spf' ? filterRoot(record, found) : found;
      return { ...record, status: judgeFor(record, domain, hostname)(found), found: relevant };
    }),
  );
}

/** The apex carries many TXT records; report only those of the kind being checked. */
function filterRoot(record: DnsRecord, found: string[]): string[] {
  if (record.purpose === 'spf') return found.filter((txt) => /^v=spf1(\s|$)/i.test(txt));
  return found.filter((txt) => txt.startsWith(VERIFICATION_PREFIX));
}
