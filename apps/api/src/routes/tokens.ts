/** API tokens: listed without their secret, created with the secret shown once, revoked by id. */
import { NotFoundError } from '@mailyard/errors';
import { type ApiContext, type ApiRouter, body, param, type RouteDeps, requireAuth } from '../context.js';
import { presentToken } from '../present.js';
import { tokenCreate } from '../schemas.js';
import { parseInput } from '../validation.js';

export function registerTokenRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/tokens', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    ctx.body = (await deps.control.listTokens(account.id)).map(presentToken);
  });

  router.post('/tokens', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    const input = parseInput(tokenCreate, await body(ctx, deps));
    const issued = await deps.control.createToken(account.id, input.name);
    ctx.status = 201;
    ctx.body = { ...presentToken(issued.token), secret: issued.secret };
  });

  router.delete('/tokens/:id', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    if (!(await deps.control.revokeToken(account.id, param(ctx, 'id')))) throw new NotFoundError('token not found');
    ctx.status = 204;
  });
}
