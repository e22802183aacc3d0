/**
 * MTA-STS (RFC 8461): a domain may publish that its MX hosts must be reached over verified TLS. Fetching a policy
 * takes DNS (_mta-sts TXT) and HTTPS to mta-sts.<domain>, so it sits behind `MtaStsPolicySource`:
 * `createMtaStsSource` is the real one (mailauth's resolver + fetch, cached per domain for the policy's max_age),
 * `NO_MTA_STS` treats every domain as publishing none (tests, or networks without outbound HTTPS).
 * With mode=enforce, only MX hosts matching the policy are used and TLS must verify (RFC 8461 §4.2).
 */
import type { MTASTSPolicy } from 'mailauth';
import { getPolicy } from 'mailauth/lib/mta-sts.js';
import type { MailauthResolver } from '../dns.js';
import { OUTBOUND_LIMITS } from '../limits.js';

export interface MtaStsPolicy {
  mode: 'enforce' | 'testing' | 'none';
  /** Allowed MX patterns, '*.example.com' wildcards allowed (RFC 8461 §3.2). */
  mx: string[];
}

export interface MtaStsPolicySource {
  /** The domain's policy, or null when it publishes none (or it cannot be fetched: delivery stays opportunistic). */
  policyFor(domain: string): Promise<MtaStsPolicy | null>;
}

export const NO_MTA_STS: MtaStsPolicySource = { policyFor: async () => null };

/** RFC 8461 §4.1: an MX matches a pattern exactly or, for '*.', by exactly one leftmost label. */
export function mxMatchesPolicy(host: string, policy: MtaStsPolicy): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return policy.mx.some((pattern) => {
    const p = pattern.toLowerCase();
    if (!p.startsWith('*.')) return p === name;
    const rest = name.slice(name.indexOf('.') + 1);
    return name.includes('.') && rest === p.slice(2);
  });
}

interface Cached {
  known: MTASTSPolicy | undefined;
  policy: MtaStsPolicy | null;
  until: number;
}

function toPolicy(raw: MTASTSPolicy | undefined): MtaStsPolicy | null {
  if (raw?.mode !== 'enforce' && raw?.mode !== 'testing') return null;
  return { mode: raw.mode, mx: raw.mx ?? [] };
}

export function createMtaStsSource(resolver: MailauthResolver): MtaStsPolicySource {
  const cache = new Map<string, Cached>();
  return {
    async policyFor(domain) {
      const cached = cache.get(domain);
      if (cached && cached.until > Date.now()) return cached.policy;
      try {
        const result = await getPolicy(domain, cached?.known, { resolver });
        const policy = toPolicy(result.policy);
        const ttl = result.policy.maxAge ? result.policy.maxAge * 1000 : OUTBOUND_LIMITS.mtaStsCacheMs;
        cache.set(domain, { known: result.policy, policy, until: Date.now() + ttl });
        return policy;
      } catch {
        return cached?.policy ?? null;
      }
    },
  };
}
