/**
 * Accounts. The first account of a server can always be created and becomes administrator; afterwards sign-up is
 * closed (403) unless api.signupOpen, and an authenticated administrator may create accounts (also admins).
 */
import { PermissionError } from '@mailyard/errors';
import { type ApiContext, type ApiRouter, body, type RouteDeps, requireAuth } from '../context.js';
import { presentAccount, presentToken } from '../present.js';
import { accountCreate } from '../schemas.js';
import { parseInput } from '../validation.js';

/** Serialises sign-ups in this process so two concurrent "first" accounts cannot both become administrator. */
function serially() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function registerAccountRoutes(router: ApiRouter, deps: RouteDeps): void {
  const signUp = serially();

  router.post('/account', async (ctx: ApiContext) => {
    const input = parseInput(accountCreate, await body(ctx, deps));
    const caller = ctx.state.auth?.account;
    const created = await signUp(async () => {
      const first = (await deps.control.countAccounts()) === 0;
      if (!first && !caller?.isAdmin && !deps.config.api.signupOpen) {
        throw new PermissionError('sign-up is closed: ask an administrator to create your account');
      }
      if (input.is_admin && !first && !caller?.isAdmin) {
        throw new PermissionError('only an administrator can create administrator accounts');
      }
      const isAdmin = first || (input.is_admin === true && caller?.isAdmin === true);
      return deps.control.createAccount({ email: input.email, password: input.password, isAdmin });
    });
    const issued = await deps.control.createToken(created.id, 'initial');
    ctx.status = 201;
    ctx.body = { account: presentAccount(created), token: { ...presentToken(issued.token), secret: issued.secret } };
  });

  router.get('/account', async (ctx: ApiContext) => {
    ctx.body = presentAccount(requireAuth(ctx).account);
  });
}
