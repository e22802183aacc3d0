/**
 * HTTP Basic authentication (RFC 7617) with the API token as the user name and an empty password, and the
 * per-IP and per-token rate limits (429 with Retry-After, RFC 6585 §4).
 */
import type { ControlStore } from '@mailyard/control';
import { AuthenticationError, RateLimitError } from '@mailyard/errors';
import type { RateLimiter } from '@mailyard/limits';
import type { Next } from 'koa';
import type { ApiContext } from './context.js';
import { usesMailboxCredentials } from './mailbox-auth.js';
import { sendsWithMailboxCredentials } from './routes/emails.js';

/** The token from `Authorization: Basic base64(token ":")`; null without the header. */
export function basicToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) throw new AuthenticationError('use HTTP Basic auth with your API token as the username');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  if (user === '') throw new AuthenticationError('use HTTP Basic auth with your API token as the username');
  return user;
}

async function enforce(limiter: RateLimiter, key: string, what: string): Promise<void> {
  const result = await limiter.consume(key);
  if (!result.allowed) throw new RateLimitError(`too many requests ${what}`, result.retryAfterMs);
}

export interface AuthLimits {
  perIp: RateLimiter;
  perToken: RateLimiter;
}

/** Authenticates when credentials are sent (invalid ones are 401 everywhere); routes decide if auth is required. */
export function authenticate(control: ControlStore, limits: AuthLimits) {
  return async (ctx: ApiContext, next: Next) => {
    await enforce(limits.perIp, `ip:${ctx.ip}`, 'from this address');
    // Mailbox credentials, not a token: mailbox-auth.ts checks them.
    if (usesMailboxCredentials(ctx.path)) return next();
    if (sendsWithMailboxCredentials(ctx.path, ctx.get('authorization'))) return next();
    const token = basicToken(ctx.get('authorization') || undefined);
    if (token !== null) {
      const auth = await control.authenticateToken(token);
      if (!auth) throw new AuthenticationError('invalid or revoked API token');
      await enforce(limits.perToken, `token:${auth.token.id}`, 'with this token');
      ctx.state.auth = auth;
    }
    await next();
  };
}
