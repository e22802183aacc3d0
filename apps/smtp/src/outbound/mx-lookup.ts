/**
 * Where mail for a domain goes (RFC 5321 §5.1): its MX hosts by preference, or the domain itself as an implicit
 * MX when it has no MX records but has an address. A null MX (RFC 7505: one MX of '.') and a domain that does not
 * exist are permanent failures; DNS trouble is temporary.
 */
import { type DnsLookup, isNoRecords, isNxDomain } from '../dns.js';

export interface Destination {
  host: string;
  addresses: string[];
}

export class RoutingFailure extends Error {
  readonly permanent: boolean;
  readonly statusCode: string;
  constructor(message: string, permanent: boolean, statusCode: string) {
    super(message);
    this.permanent = permanent;
    this.statusCode = statusCode;
  }
}

async function mxHosts(dns: DnsLookup, domain: string): Promise<string[] | null> {
  try {
    const records = await dns.resolveMx(domain);
    if (records.length === 1 && (records[0]?.exchange ?? '') === '') {
      throw new RoutingFailure(`${domain} accepts no mail (null MX, RFC 7505)`, true, '5.1.10');
    }
    return records.length > 0 ? records.map((r) => r.exchange) : null;
  } catch (err) {
    if (err instanceof RoutingFailure) throw err;
    if (isNxDomain(err)) throw new RoutingFailure(`domain ${domain} does not exist`, true, '5.1.2');
    if (isNoRecords(err)) return null;
    throw new RoutingFailure(`MX lookup for ${domain} failed: ${(err as Error).message}`, false, '4.4.3');
  }
}

async function addressesOf(dns: DnsLookup, host: string): Promise<string[]> {
  try {
    return await dns.resolveAddresses(host);
  } catch (err) {
    throw new RoutingFailure(`address lookup for ${host} failed: ${(err as Error).message}`, false, '4.4.3');
  }
}

export async function resolveDestinations(dns: DnsLookup, domain: string): Promise<Destination[]> {
  const hosts = (await mxHosts(dns, domain)) ?? [domain];
  const destinations: Destination[] = [];
  for (const host of hosts) {
    const addresses = await addressesOf(dns, host);
    if (addresses.length > 0) destinations.push({ host, addresses });
  }
  if (destinations.length === 0) {
    const implicit = hosts.length === 1 && hosts[0] === domain;
    throw new RoutingFailure(`no address for the mail hosts of ${domain}`, implicit, implicit ? '5.1.2' : '4.4.4');
  }
  return destinations;
}
