/**
 * DNS lookups of the SMTP processes through one configurable resolver (config dns.resolver, dns.timeoutMs):
 * TXT for SPF/DKIM/DMARC/ARC (handed to mailauth), MX and A/AAAA for outbound delivery (RFC 5321 §5.1).
 */
import { Resolver } from 'node:dns/promises';
import { parseResolver } from '@mailyard/config';

/** The resolver signature mailauth accepts: resolve(name, rrtype) like node:dns, errors with node's codes. */
export type MailauthResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

export interface MxHost {
  exchange: string;
  priority: number;
}

export interface DnsLookup {
  /** For mailauth: TXT, MX, A, AAAA and PTR lookups with node:dns semantics. */
  mailauth: MailauthResolver;
  /** MX hosts ordered by preference; an empty list when the name exists but has no MX. */
  resolveMx(domain: string): Promise<MxHost[]>;
  /** IPv4 then IPv6 addresses of a host; an empty list when it has none. */
  resolveAddresses(host: string): Promise<string[]>;
}

export interface DnsOptions {
  /** 'host', 'host:port' or '[ipv6]:port' (config dns.resolver); unset: the system's resolvers. */
  server?: string | undefined;
  timeoutMs?: number;
}

/** NODATA and NXDOMAIN: the answer is "nothing", not a failure to get an answer. */
export function isNoRecords(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENODATA' || code === 'ENOTFOUND';
}

export function isNxDomain(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOTFOUND';
}

function formatServer(server: string): string {
  const parsed = parseResolver(server);
  if (!parsed) throw new RangeError(`invalid DNS server: ${server}`);
  return parsed.host.includes(':') ? `[${parsed.host}]:${parsed.port}` : `${parsed.host}:${parsed.port}`;
}

async function orEmpty<T>(lookup: Promise<T[]>): Promise<T[]> {
  try {
    return await lookup;
  } catch (err) {
    if (isNoRecords(err)) return [];
    throw err;
  }
}

export function createDnsLookup(opts: DnsOptions = {}): DnsLookup {
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 5000, tries: 2 });
  if (opts.server) resolver.setServers([formatServer(opts.server)]);
  return {
    mailauth: (name, rrtype) => resolver.resolve(name, rrtype) as Promise<string[][] | string[]>,
    async resolveMx(domain) {
      const records = await resolver.resolveMx(domain);
      return records
        .map((r) => ({ exchange: r.exchange, priority: r.priority }))
        .sort((a, b) => a.priority - b.priority);
    },
    async resolveAddresses(host) {
      const [v4, v6] = await Promise.all([orEmpty(resolver.resolve4(host)), orEmpty(resolver.resolve6(host))]);
      return [...v4, ...v6];
    },
  };
}
