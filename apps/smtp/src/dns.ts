/**
 * DNS lookups of the SMTP processes through one configurable resolver (config dns.resolver, dns.timeoutMs):
 * TXT for SPF/DKIM/DMARC/ARC (handed to mailauth), MX and A/AAAA for outbound delivery (RFC 5321 §5.1).
 * The answers given to mailauth (and the spam checks) are kept ANSWER_CACHE_MS (30 s), "no such record" answers
 * too, and a question already in flight is asked once: a sender that delivers many messages in a row (one
 * connection each) costs one SPF and one DMARC lookup per 30 s, not per message. Failures (timeouts, SERVFAIL) are
 * not kept. node:dns gives no TTL for TXT records, so 30 s is the bound: a record changed at the sender's side
 * is seen within 30 s, sooner than most TTLs.
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
  /** How long mailauth's and the spam checks' answers are kept (ANSWER_CACHE_MS); 0 keeps none. */
  answerCacheMs?: number;
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

const ANSWER_CACHE_MS = 30_000;
const ANSWER_CACHE_ENTRIES = 10_000;

type Answer = string[][] | string[];

/** A copy of an answer, so a caller that changes what it got cannot change what the next caller gets. */
function copyOf(answer: Answer): Answer {
  return answer.map((r) => (Array.isArray(r) ? [...r] : r)) as Answer;
}

/**
 * `resolve` with answers (and no-record answers) kept `ttlMs`, at most `entries` of them (the oldest go first),
 * and one query for concurrent askers of the same question.
 */
export function cachedResolve(
  resolve: (name: string, rrtype: string) => Promise<Answer>,
  opts: { ttlMs?: number; entries?: number; now?: () => number } = {},
): MailauthResolver {
  const ttlMs = opts.ttlMs ?? ANSWER_CACHE_MS;
  const entries = opts.entries ?? ANSWER_CACHE_ENTRIES;
  const now = opts.now ?? Date.now;
  const kept = new Map<string, { expires: number; answer: Promise<Answer> }>();
  return async (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const hit = kept.get(key);
    if (hit && hit.expires > now()) return copyOf(await hit.answer);
    if (hit) kept.delete(key);
    const answer = resolve(name, rrtype);
    kept.set(key, { expires: now() + ttlMs, answer });
    if (kept.size > entries) kept.delete(kept.keys().next().value as string);
    answer.catch((err: unknown) => {
      if (!isNoRecords(err) && kept.get(key)?.answer === answer) kept.delete(key);
    });
    return copyOf(await answer);
  };
}

export function createDnsLookup(opts: DnsOptions = {}): DnsLookup {
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 5000, tries: 2 });
  if (opts.server) resolver.setServers([formatServer(opts.server)]);
  return {
    mailauth: cachedResolve((name, rrtype) => resolver.resolve(name, rrtype) as Promise<Answer>, {
      ttlMs: opts.answerCacheMs ?? ANSWER_CACHE_MS,
    }),
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
