/** API tokens: created with the secret shown once, listed without it, revoked by id within the caller's account. */
import { NotFoundError, ValidationError } from '@mailyard/errors';
import { isLoopbackBind } from '../client-settings.js';
import { field } from '../form-body.js';
import { attempt, ok, redirectTo, render } from '../page.js';
import { tokenIssuedView, tokensView } from '../views/tokens.js';
import { requireAccount, type WebContext, type WebRouteDeps, type WebRouter } from '../web-context.js';

const MAX_NAME = 100;

export function registerTokenRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const { config } = deps;
  const apiBase = isLoopbackBind(config)
    ? `http://${config.bind}:${config.api.port}/v1`
    : `https://${config.hostname}/v1`;
  const list = async (ctx: WebContext) => deps.control.listTokens(requireAccount(ctx).id);

  router.get('/tokens', async (ctx: WebContext) => {
    render(ctx, 'API tokens', tokensView({ tokens: await list(ctx), csrf: ctx.state.csrf, apiBase }));
  });

  router.post('/tokens', async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    const name = field(ctx.state.form, 'name');
    const result = await attempt(async () => {
      if (!name) throw new ValidationError('Give the token a name, so you know later what uses it.');
      if (name.length > MAX_NAME) throw new ValidationError(`The name is over ${MAX_NAME} characters.`);
      return deps.control.createToken(account.id, name);
    });
    if (!result.ok) {
      const view = tokensView({ tokens: await list(ctx), csrf: ctx.state.csrf, apiBase, error: result.error });
      return render(ctx, 'API tokens', view, 400);
    }
    render(ctx, 'New API token', tokenIssuedView({ name, secret: result.value.secret, apiBase }), 201);
  });

  router.post('/tokens/:id/revoke', async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    if (!(await deps.control.revokeToken(account.id, ctx.params.id ?? ''))) throw new NotFoundError('token not found');
    redirectTo(ctx, '/tokens', ok('Token revoked: the API refuses it from now on.'));
  });
}
