/**
 * One attempt at the recipients of one destination domain: MTA-STS policy, MX hosts in preference order and
 * each of their addresses until one answers (RFC 5321 §5.1), then per-recipient results.
 */
import type { DnsLookup } from '../dns.js';
import type { SmtpConnectionPool } from './connection-pool.js';
import { type MtaStsPolicySource, mxMatchesPolicy } from './mta-sts.js';
import { RoutingFailure, resolveDestinations } from './mx-lookup.js';
import { allWith, type RecipientResult } from './results.js';
import { ConnectionFailure, deliverToHost, type Envelope } from './smtp-client.js';

export interface DomainDelivery {
  domain: string;
  from: string;
  /** The domain's recipients, grouped by their DSN parameters (one transaction each). */
  envelopes: Envelope[];
  body: Buffer;
}

export interface DomainDeliveryOptions {
  dns: DnsLookup;
  mtaSts: MtaStsPolicySource;
  heloName: string;
  port: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  pool: SmtpConnectionPool;
}

async function destinationsFor(d: DomainDelivery, opts: DomainDeliveryOptions) {
  const policy = await opts.mtaSts.policyFor(d.domain).catch(() => null);
  const enforce = policy?.mode === 'enforce';
  const all = await resolveDestinations(opts.dns, d.domain);
  const allowed = enforce && policy ? all.filter((dest) => mxMatchesPolicy(dest.host, policy)) : all;
  if (allowed.length === 0) {
    throw new RoutingFailure(`no MX host of ${d.domain} matches its MTA-STS policy`, false, '4.7.5');
  }
  return { destinations: allowed, enforce };
}

export async function deliverDomain(d: DomainDelivery, opts: DomainDeliveryOptions): Promise<RecipientResult[]> {
  const to = d.envelopes.flatMap((e) => e.to);
  let route: Awaited<ReturnType<typeof destinationsFor>>;
  try {
    route = await destinationsFor(d, opts);
  } catch (err) {
    if (!(err instanceof RoutingFailure)) throw err;
    return allWith(to, {
      status: err.permanent ? 'failed' : 'deferred',
      diagnostic: err.message,
      statusCode: err.statusCode,
    });
  }
  let lastFailure = 'no MX host answered';
  for (const destination of route.destinations) {
    for (const address of destination.addresses) {
      try {
        return await deliverToHost(
          {
            address,
            host: destination.host,
            port: opts.port,
            heloName: opts.heloName,
            requireTls: route.enforce,
            timeoutMs: opts.timeoutMs,
            connectTimeoutMs: opts.connectTimeoutMs,
          },
          opts.pool,
          { from: d.from, body: d.body, envelopes: d.envelopes },
        );
      } catch (err) {
        if (!(err instanceof ConnectionFailure)) throw err;
        lastFailure = `${destination.host} [${address}]: ${err.message}`;
      }
    }
  }
  return allWith(to, { status: 'deferred', diagnostic: lastFailure, statusCode: '4.4.1' });
}
