/**
 * Webhook URLs as alias recipients (Forward Email's form: a recipient that is an `https://` URL gets each message
 * as a JSON POST). Anything that makes the server send requests on a user's behalf is a server-side request forgery
 * risk, so a URL naming a private, loopback, link-local or otherwise non-public address, or `localhost`, is refused
 * unless private targets are allowed (webhooks.allowPrivate, development and tests only), and plain `http://` only
 * then. The name is checked here when it is configured; the delivering worker checks every address the name
 * resolves to again at delivery time, since DNS can change in between.
 */
import { BlockList, isIP } from 'node:net';

const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network" (RFC 791)
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // shared address space, carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (RFC 3927), cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890)
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard (RFC 6666)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (RFC 4193)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** True for an IP address a webhook must not reach in production (IPv4-mapped IPv6 judged as its IPv4). */
export function isNonPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return NON_PUBLIC.check(mapped[1], 'ipv4');
  const family = isIP(ip);
  if (family === 0) return true;
  return NON_PUBLIC.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** True for a recipient written as a URL (the rest are addresses). */
export function isWebhookUrl(recipient: string): boolean {
  return /^https?:\/\//i.test(recipient.trim());
}

/** The URL in canonical form (WHATWG URL), or null when it is not an http(s) URL without credentials. */
export function normalizeWebhookUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.hostname === '') return null;
  return url.href;
}

/** The host of a URL without IPv6 brackets. */
export function webhookHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Why a webhook URL may not be configured, or null when it may (no DNS lookup: names are checked on delivery). */
export function webhookUrlRefusal(text: string, allowPrivate: boolean): string | null {
  const normalized = normalizeWebhookUrl(text);
  if (!normalized) return 'a webhook must be an https:// URL without user name or password';
  if (allowPrivate) return null;
  const url = new URL(normalized);
  if (url.protocol !== 'https:') return 'a webhook must use https://';
  const host = webhookHost(url).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a webhook may not point at this server';
  if (isIP(host) !== 0 && isNonPublicAddress(host)) return 'a webhook may not point at a private or loopback address';
  return null;
}
