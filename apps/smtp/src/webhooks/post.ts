/**
 * One webhook POST. The JSON body is signed with the domain's secret: `X-Webhook-Signature: sha256=<hex HMAC-SHA256
 * of the body>`, which the receiver recomputes over the bytes it got. Before connecting, the host name is resolved
 * and every address it resolves to is checked (isNonPublicAddress) unless private targets are allowed; the request
 * then goes to the checked address itself, so a second lookup cannot swap in another (DNS rebinding). Redirects are
 * not followed (a 3xx is a failure), and at most WEBHOOK_LIMITS.maxResponseBytes of the answer are read.
 */
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { isNonPublicAddress, webhookHost } from '@mailyard/control';
import { WEBHOOK_LIMITS } from '../limits.js';

export const SIGNATURE_HEADER = 'X-Webhook-Signature';

/** The signature header's value for `body`. */
export function webhookSignature(body: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type PostOutcome =
  /** 2xx. */
  | { kind: 'delivered'; status: number }
  /** Worth retrying: a network error, a timeout, 408, 429 or 5xx. */
  | { kind: 'retry'; error: string }
  /** Never going to work as configured: a non-public address, a redirect, another 4xx. */
  | { kind: 'refused'; error: string };

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
  /** Resolves a host name to its addresses (default node:dns lookup, all addresses). */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

async function defaultResolve(host: string) {
  return lookup(host, { all: true, verbatim: true });
}

/** The address to connect to, or a refusal when any address of the host is not public. */
async function checkedAddress(
  host: string,
  opts: PostOptions,
): Promise<{ address: string; family: number } | { refusal: string }> {
  const family = isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await (opts.resolve ?? defaultResolve)(host);
  if (addresses.length === 0) return { refusal: `${host} has no address` };
  if (!opts.allowPrivate) {
    const inside = addresses.find((a) => isNonPublicAddress(a.address));
    if (inside) return { refusal: `${host} resolves to the non-public address ${inside.address}` };
  }
  return addresses[0] as { address: string; family: number };
}

function readBounded(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size >= WEBHOOK_LIMITS.maxResponseBytes) return res.destroy();
      chunks.push(chunk);
      size += chunk.length;
    });
    res.on('close', () => resolve(Buffer.concat(chunks).subarray(0, 200).toString('utf8')));
    res.on('error', () => resolve(Buffer.concat(chunks).subarray(0, 200).toString('utf8')));
  });
}

function outcomeOf(status: number, excerpt: string): PostOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const error = `HTTP ${status}${excerpt ? `: ${excerpt.replace(/\s+/g, ' ').trim()}` : ''}`;
  if (status >= 300 && status < 400) return { kind: 'refused', error: `${error} (redirects are not followed)` };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', error };
  return { kind: 'refused', error };
}

export async function postWebhook(url: string, body: Buffer, secret: string, opts: PostOptions): Promise<PostOutcome> {
  const target = new URL(url);
  const host = webhookHost(target);
  let checked: Awaited<ReturnType<typeof checkedAddress>>;
  try {
    checked = await checkedAddress(host, opts);
  } catch (err) {
    return { kind: 'retry', error: `cannot resolve ${host}: ${(err as Error).message}` };
  }
  if ('refusal' in checked) return { kind: 'refused', error: checked.refusal };
  const pinned: LookupFunction = (_name, options, callback) => {
    if (options.all) callback(null, [checked]);
    else callback(null, checked.address, checked.family);
  };
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostOutcome>((resolve) => {
    const req = request(
      target,
      {
        method: 'POST',
        lookup: pinned,
        timeout: opts.timeoutMs ?? WEBHOOK_LIMITS.requestTimeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'Mailyard-Webhook',
          [SIGNATURE_HEADER]: webhookSignature(body, secret),
        },
      },
      (res) => {
        readBounded(res).then((excerpt) => resolve(outcomeOf(res.statusCode ?? 0, excerpt)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', (err) => resolve({ kind: 'retry', error: err.message }));
    req.end(body);
  });
}
