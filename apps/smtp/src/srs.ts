/**
 * Sender Rewriting Scheme, SRS0 in the common form of libsrs2 and postsrsd, so that forwarded mail passes SPF at
 * its destination (RFC 7208 §11.2 describes why forwarding breaks SPF) and bounces find their way back:
 *
 *   SRS0=HHHH=TT=orig-domain=orig-local@forwarding-domain
 *
 * TT is the day number modulo 1024 in two base32 characters; HHHH the first 4 base64 characters of
 * HMAC-SHA1(key, TT + orig-domain + orig-local) over the lowercased values. The key is derived from the master key
 * ('smtp.srs'), so every process of one installation rewrites and reverses alike.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DAY_MS = 86_400_000;
const TIMESTAMP_MODULO = 1024;
/** A bounce may come back this long after the forward (libsrs2's default). */
export const SRS_MAX_AGE_DAYS = 21;

const SRS0 = /^srs0=([^=]+)=([^=]{2})=([^=]+)=(.+)$/i;

export interface Srs {
  /** The rewritten envelope sender for `sender` forwarded by `forwardingDomain`; '' stays '' (null sender). */
  forward(sender: string, forwardingDomain: string): string;
  /** The original sender of an SRS0 local part, or null when it is not SRS0, forged or expired. */
  reverse(localPart: string): string | null;
}

function encodeDay(day: number): string {
  const t = day % TIMESTAMP_MODULO;
  return (BASE32[(t >> 5) & 31] ?? 'A') + (BASE32[t & 31] ?? 'A');
}

function decodeDay(tt: string): number | null {
  const hi = BASE32.indexOf(tt[0]?.toUpperCase() ?? '');
  const lo = BASE32.indexOf(tt[1]?.toUpperCase() ?? '');
  return hi < 0 || lo < 0 ? null : (hi << 5) | lo;
}

export function createSrs(key: Buffer, now: () => number = Date.now): Srs {
  const hash = (tt: string, domain: string, local: string) =>
    createHmac('sha1', key).update(`${tt}${domain}${local}`.toLowerCase()).digest('base64').slice(0, 4);

  return {
    forward(sender, forwardingDomain) {
      if (sender === '') return '';
      const at = sender.lastIndexOf('@');
      if (at <= 0) return sender;
      const local = sender.slice(0, at);
      const domain = sender.slice(at + 1);
      const tt = encodeDay(Math.floor(now() / DAY_MS));
      return `SRS0=${hash(tt, domain, local)}=${tt}=${domain}=${local}@${forwardingDomain}`;
    },
    reverse(localPart) {
      const match = SRS0.exec(localPart);
      if (!match) return null;
      const [, given = '', tt = '', domain = '', local = ''] = match;
      const expected = Buffer.from(hash(tt, domain, local).toLowerCase());
      const actual = Buffer.from(given.toLowerCase());
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
      const day = decodeDay(tt);
      if (day === null) return null;
      const today = Math.floor(now() / DAY_MS) % TIMESTAMP_MODULO;
      const age = (today - day + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
      return age <= SRS_MAX_AGE_DAYS ? `${local}@${domain}` : null;
    },
  };
}
