/**
 * /v1/sieve-scripts: a mailbox manages its own Sieve scripts with its own credentials, HTTP Basic (RFC 7617) with
 * the alias address as user name and the mailbox password, the pair IMAP, POP3, SMTP AUTH and ManageSieve take.
 * The password is checked as they check it (the control store's verifyMailboxPassword: same KDF work for unknown
 * addresses; an enabled alias with a mailbox) through the API's one LoginGate, so guesses are limited per client
 * address and per address + client address; each failure logs `authentication failed` (fail2ban). Token auth does
 * not apply to these paths (auth.ts lets them through after the per-address rate limit).
 */
import { AuthenticationError, RateLimitError } from '@mailyard/errors';
import type { ApiContext, ApiRouter, RouteDeps } from '../context.js';
import { sieveHandlers } from './sieve-shapes.js';

export const MAILBOX_CREDENTIAL_PREFIX = '/v1/sieve-scripts';

const USAGE = 'use HTTP Basic auth with the mailbox address and the mailbox password';

/** user and password of `Authorization: Basic base64(user ":" password)`. */
function basicCredentials(header: string | undefined): { user: string; password: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw new AuthenticationError(USAGE);
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new AuthenticationError(USAGE);
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The alias id of the mailbox whose address and password the request carries; 401 otherwise, 429 when gated. */
async function mailboxAlias(ctx: ApiContext, deps: RouteDeps): Promise<string> {
  const { user, password } = basicCredentials(ctx.get('authorization') || undefined);
  const checked = await deps.loginGate.attempt(ctx.ip, user, async () => {
    const resolved = await deps.control.verifyMailboxPassword(user, password);
    return resolved?.alias.mailboxId && resolved.alias.isEnabled ? resolved.alias.id : null;
  });
  if (!checked.allowed) throw new RateLimitError('too many failed logins, try again later', checked.retryAfterMs);
  if (checked.value) return checked.value;
  deps.logger.info({ ip: ctx.ip, user }, 'authentication failed');
  throw new AuthenticationError('invalid mailbox address or password');
}

export function registerMailboxSieveRoutes(router: ApiRouter, deps: RouteDeps): void {
  const h = sieveHandlers(deps, (ctx) => mailboxAlias(ctx, deps));
  router.get('/sieve-scripts', h.list);
  router.post('/sieve-scripts', h.create);
  router.get('/sieve-scripts/:script', h.get);
  router.put('/sieve-scripts/:script', h.update);
  router.delete('/sieve-scripts/:script', h.remove);
  router.post('/sieve-scripts/:script/activate', h.activate);
}
