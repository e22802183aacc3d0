/**
 * /v1/sieve-scripts: a mailbox manages its own Sieve scripts with its own credentials, HTTP Basic (RFC 7617) with
 * the alias address as user name and the mailbox password. The credentials are checked by mailbox-auth.ts, as
 * for /v1/messages and /v1/folders: the first request pays the password check through the API's one LoginGate,
 * repeat requests reuse the verified, unlocked mailbox without a KDF run. Token auth does not apply to these
 * paths (auth.ts lets them through after the per-address rate limit).
 */
import type { ApiContext, ApiRouter, RouteDeps } from '../context.js';
import { withMailbox } from '../mailbox-auth.js';
import { sieveHandlers } from './sieve-shapes.js';

/** The alias id of the mailbox whose address and password the request carries; 401 otherwise, 429 when gated. */
function mailboxAlias(ctx: ApiContext, deps: RouteDeps): Promise<string> {
  return withMailbox(ctx, deps, (_session, identity) => identity.aliasId);
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
