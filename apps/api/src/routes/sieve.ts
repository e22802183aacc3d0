/**
 * Sieve scripts of an alias, for the account that owns its domain (API token): Forward Email's
 * /v1/domains/:domain/aliases/:alias/sieve. The mailbox's own route group is routes/sieve-scripts.ts.
 */
import { NotFoundError } from '@mailyard/errors';
import { type ApiContext, type ApiRouter, ownDomain, param, type RouteDeps } from '../context.js';
import { sieveHandlers } from './sieve-shapes.js';

export function registerSieveRoutes(router: ApiRouter, deps: RouteDeps): void {
  const aliasOf = async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    const alias = await deps.control.findAlias(domain.id, param(ctx, 'alias'));
    if (!alias) throw new NotFoundError('alias not found');
    return alias.id;
  };
  const h = sieveHandlers(deps, aliasOf);
  const base = '/domains/:domain/aliases/:alias/sieve';
  router.get(base, h.list);
  router.post(base, h.create);
  router.get(`${base}/:script`, h.get);
  router.put(`${base}/:script`, h.update);
  router.delete(`${base}/:script`, h.remove);
  router.post(`${base}/:script/activate`, h.activate);
}
