/**
 * What DNS says about the client and the message:
 * - DNS blocklists (DNSBL, RFC 5782) for the client IP: the address reversed (IPv4 octets, IPv6 nibbles) under
 *   each zone of config spam.ipBlocklists, and URIBL-style domain lists (spam.domainBlocklists) for the envelope
 *   sender domain, the From domain and the link host names in the scanned body. An A answer in 127.0.0.0/8 means
 *   listed, except 127.255.255.0/24 (Spamhaus' "query refused / public resolver" codes) and, for domain lists,
 *   127.0.0.1 (URIBL's refusal code): those are logged as failures, not hits.
 * - The client's reverse DNS (a PTR record) and the HELO name (RFC 5321 §4.1.4: a FQDN or an address literal that
 *   is the client's own address).
 * Every lookup fails open: an error or a timeout adds nothing but a zero-score *_FAILED symbol.
 */
import { isIP } from 'node:net';
import type { SpamCheck, SpamCheckResult, SpamInput, SpamSymbol } from './verdict.js';

/** node:dns-like resolve(name, rrtype); rejects with node's error codes (ENOTFOUND, ENODATA...). */
export type Resolve = (name: string, rrtype: string) => Promise<unknown[]>;

const IP_LISTED_SCORE = 6;
const DOMAIN_LISTED_SCORE = 6;
/** Link host names looked up per message, so a message full of links cannot make us send hundreds of queries. */
const MAX_LINK_DOMAINS = 20;

function noRecords(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

/** The DNSBL query name of an address (RFC 5782 §2.1, §2.4); null for something that is not an IP. */
export function reversedIp(ip: string): string | null {
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(plain) === 4) return plain.split('.').reverse().join('.');
  if (isIP(plain) !== 6) return null;
  const [head = '', tail = ''] = plain.includes('::') ? plain.split('::') : [plain, ''];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups
    .map((g) => g.padStart(4, '0'))
    .join('')
    .split('')
    .reverse()
    .join('.');
}

/**
 * The name a URIBL lists for a host: its registrable domain by the ICANN section of the Public Suffix List
 * (tldts), so mail.example.co.uk is asked as example.co.uk and a.b.example.com.au as example.com.au; a name the
 * list does not know ends in a one-label suffix (shop.test). Null for a public suffix itself (co.uk) or an IP
 * address, which a domain list cannot list. The list is loaded by loadPublicSuffixList, on the first message
 * checked against a domain list: only an MX with spam.domainBlocklists set pays for it.
 */
export function listedName(host: string): string | null {
  if (!getDomain) throw new Error('listedName before loadPublicSuffixList');
  return getDomain(host.toLowerCase().replace(/\.$/, ''), { allowPrivateDomains: false });
}

let getDomain: typeof import('tldts').getDomain | undefined;

export async function loadPublicSuffixList(): Promise<void> {
  getDomain ??= (await import('tldts')).getDomain;
}

export function zones(setting: string | undefined): string[] {
  if (!setting) return [];
  return setting
    .split(',')
    .map((z) => z.trim().toLowerCase().replace(/\.$/, ''))
    .filter((z) => z.length > 0);
}

type Answer = { listed: string } | { refused: string } | null;

async function ask(resolve: Resolve, name: string, domainList: boolean): Promise<Answer> {
  try {
    const answers = (await resolve(name, 'A')).map(String);
    const hit = answers.find((a) => a.startsWith('127.'));
    if (!hit) return null;
    if (hit.startsWith('127.255.255.') || (domainList && hit === '127.0.0.1')) return { refused: hit };
    return { listed: hit };
  } catch (err) {
    if (noRecords(err)) return null;
    throw err;
  }
}

function failed(name: string, err: unknown): SpamSymbol {
  const why = err instanceof Error ? err.message : String(err);
  return { name, score: 0, description: why };
}

async function lookUp(
  resolve: Resolve,
  query: string,
  zone: string,
  listed: (answer: string) => SpamSymbol,
  domainList: boolean,
): Promise<SpamSymbol | null> {
  try {
    const answer = await ask(resolve, `${query}.${zone}`, domainList);
    if (!answer) return null;
    if ('refused' in answer) return failed('DNSBL_FAILED', new Error(`${zone} refused the query (${answer.refused})`));
    return listed(answer.listed);
  } catch (err) {
    return failed('DNSBL_FAILED', err);
  }
}

/** Host names of http(s) links in the scanned message (raw bytes: quoted-printable soft breaks are rare in hosts). */
export function linkDomains(scanned: Buffer | null): string[] {
  if (!scanned) return [];
  const text = scanned.toString('latin1');
  const found = new Set<string>();
  for (const match of text.matchAll(/https?:\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)+)/gi)) {
    const name = listedName(match[1] ?? '');
    if (name) found.add(name);
    if (found.size >= MAX_LINK_DOMAINS) break;
  }
  return [...found];
}

function messageDomains(input: SpamInput): string[] {
  const domains = new Set<string>();
  const sender = input.envelope.from.split('@')[1];
  const from = input.headers.find((h) => h.name === 'from')?.raw ?? '';
  const names = [sender, /@([a-z0-9.-]+\.[a-z]{2,})/i.exec(from)?.[1]];
  for (const name of names) {
    const listed = name ? listedName(name) : null;
    if (listed) domains.add(listed);
  }
  for (const d of linkDomains(input.scanned)) domains.add(d);
  return [...domains].filter((d) => d.includes('.') && isIP(d) === 0);
}

export function blocklistCheck(resolve: Resolve, ipZones: string[], domainZones: string[]): SpamCheck {
  return {
    name: 'dnsbl',
    async check(input): Promise<SpamCheckResult> {
      const reversed = reversedIp(input.client.ip);
      const ipLookups = reversed
        ? ipZones.map((zone) =>
            lookUp(
              resolve,
              reversed,
              zone,
              (a) => ({
                name: 'DNSBL_IP',
                score: IP_LISTED_SCORE,
                description: `client ${input.client.ip} listed in ${zone} (${a})`,
              }),
              false,
            ),
          )
        : [];
      if (domainZones.length > 0) await loadPublicSuffixList();
      const domains = domainZones.length > 0 ? messageDomains(input) : [];
      const domainLookups = domains.flatMap((domain) =>
        domainZones.map((zone) =>
          lookUp(
            resolve,
            domain,
            zone,
            (a) => ({
              name: 'DNSBL_DOMAIN',
              score: DOMAIN_LISTED_SCORE,
              description: `${domain} listed in ${zone} (${a})`,
            }),
            true,
          ),
        ),
      );
      const symbols = await Promise.all([...ipLookups, ...domainLookups]);
      return { symbols: symbols.filter((s): s is SpamSymbol => s !== null) };
    },
  };
}

/** RFC 5321 §4.1.4 and §2.3.5: a FQDN, or an address literal that is the client's own address. */
export function heloAnomaly(helo: string, clientIp: string, ourHostname: string): SpamSymbol | null {
  const name = helo.toLowerCase().replace(/\.$/, '');
  if (name === ourHostname.toLowerCase()) {
    return { name: 'HELO_IS_OURS', score: 3, description: 'The client greets with our own host name' };
  }
  const literal = /^\[(?:ipv6:)?([0-9a-f:.]+)\]$/i.exec(name)?.[1];
  if (literal) {
    const client = clientIp.startsWith('::ffff:') ? clientIp.slice(7) : clientIp;
    if (literal === client) return null;
    return { name: 'HELO_LITERAL_MISMATCH', score: 1.5, description: 'HELO address literal is not the client' };
  }
  if (isIP(name) !== 0) return { name: 'HELO_BARE_IP', score: 1, description: 'HELO is an address without brackets' };
  if (!name.includes('.')) return { name: 'HELO_NOT_FQDN', score: 1, description: 'HELO is not a full domain name' };
  return null;
}

function arpaName(ip: string): string | null {
  const reversed = reversedIp(ip);
  if (!reversed) return null;
  return `${reversed}.${isIP(ip.startsWith('::ffff:') ? ip.slice(7) : ip) === 4 ? 'in-addr' : 'ip6'}.arpa`;
}

export function clientCheck(resolve: Resolve, ourHostname: string): SpamCheck {
  return {
    name: 'client',
    async check({ client }): Promise<SpamCheckResult> {
      const symbols: SpamSymbol[] = [];
      const helo = heloAnomaly(client.helo, client.ip, ourHostname);
      if (helo) symbols.push(helo);
      const arpa = arpaName(client.ip);
      if (!arpa) return { symbols };
      try {
        const names = await resolve(arpa, 'PTR');
        if (names.length === 0) symbols.push({ name: 'RDNS_NONE', score: 1, description: 'Client has no PTR' });
      } catch (err) {
        if (noRecords(err)) symbols.push({ name: 'RDNS_NONE', score: 1, description: 'Client has no reverse DNS' });
        else symbols.push(failed('RDNS_FAILED', err));
      }
      return { symbols };
    },
  };
}
