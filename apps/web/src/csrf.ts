/**
 * CSRF protection by synchroniser token: every form carries HMAC-SHA256(key, session id), checked on every
 * state-changing request before routing. The token is bound to the session id, so it changes at login and logout
 * (the id is rotated) and cannot be computed without the server key. OWASP "HMAC based token" pattern.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CSRF_FIELD = '_csrf';

export function csrfToken(key: Buffer, sessionId: string): string {
  return createHmac('sha256', key).update(`csrf\0${sessionId}`).digest('base64url');
}

export function isValidCsrfToken(key: Buffer, sessionId: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfToken(key, sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
