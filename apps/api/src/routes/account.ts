/**
 * Accounts. The first account of a server can always be created and becomes administrator; afterwards sign-up is
 * closed (403) unless api.signupOpen, and an authenticated administrator may create accounts (also admins).
 */
import { PermissionError } from '@mailyard/errors';
import { type ApiContext, type ApiRouter, body, type RouteDeps, requireAuth } from '../context.js';
import { presentAccount, presentToken } from '../present.js';
import { accountCreate } from '../schemas.js';
import { parseInput } from '../validation.js';

export function registerAccountRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.post('/account', async (ctx: ApiContext) => {
    const input = parseInput(accountCreate, await body(ctx, deps));
    const caller = ctx.state.auth?.account;
    const callerIsAdmin = caller?.isAdmin === true;
    // These checks give the usual refusals their message; the store decides "first account" atomically, so two
    // processes racing for the first account still yield one administrator and, with sign-up closed, one account.
    const first = (await deps.control.countAccounts()) === 0;
    if (!first && !callerIsAdmin && !deps.config.api.signupOpen) {
      throw new PermissionError('sign-up is closed: ask an administrator to create your account');
    }
    if (input.is_admin && !first && !callerIsAdmin) {
      throw new PermissionError('only an administrator can create administrator accounts');
    }
    const created = await deps.control.createAccount({
      email: input.email,
      password: input.password,
      isAdmin: input.is_admin === true && callerIsAdmin,
      onlyIfFirst: !callerIsAdmin && (input.is_admin === true || !deps.config.api.signupOpen),
    });
    const issued = await deps.control.createToken(created.id, 'initial');
    ctx.status = 201;
    ctx.body = { account: presentAccount(created), token: { ...presentToken(issued.token), secret: issued.secret } };
  });

  router.get('/account', async (ctx: ApiContext) => {
    ctx.body = presentAccount(requireAuth(ctx).account);
  });
}
