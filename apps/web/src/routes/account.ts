/**
 * Log in, sign up, log out and password change. The first account of a server can always be created and becomes
 * administrator; afterwards sign-up is open only with api.signupOpen (the same rule as POST /v1/account).
 * Failed password checks (login, password change) go through the shared LoginGate: counted per client address
 * and per (email, address), never per email alone, so nobody can lock another person out; the gate is asked
 * before the password is checked, and only failures count. Sign-ups are rate limited per client address.
 */
import { PermissionError, RateLimitError, ValidationError } from '@mailyard/errors';
import type { RateLimiter } from '@mailyard/limits';
import { field } from '../form-body.js';
import { attempt, ok, redirectTo, render, safeNext } from '../page.js';
import { endSession, startSession } from '../session-middleware.js';
import { accountView, loginView, signupClosedView, signupView } from '../views/account.js';
import { requireAccount, type WebContext, type WebRouteDeps, type WebRouter } from '../web-context.js';

/** Same bounds as the REST API's account schema. */
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;

function tooMany(retryAfterMs: number): RateLimitError {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return new RateLimitError(`Too many attempts. Wait ${minutes} minute(s) and try again.`, retryAfterMs);
}

async function enforce(limiter: RateLimiter, key: string): Promise<void> {
  const result = await limiter.consume(key);
  if (!result.allowed) throw tooMany(result.retryAfterMs);
}

function checkNewPassword(password: string, confirm: string): void {
  if (password.length < MIN_PASSWORD)
    throw new ValidationError(`The password needs at least ${MIN_PASSWORD} characters.`);
  if (password.length > MAX_PASSWORD)
    throw new ValidationError(`The password is longer than ${MAX_PASSWORD} characters.`);
  if (password !== confirm) throw new ValidationError('The two passwords differ: type the same password twice.');
}

export function registerAccountRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const signupAllowed = async () => (await deps.control.countAccounts()) === 0 || deps.config.api.signupOpen;

  router.get('/login', async (ctx: WebContext) => {
    if (ctx.state.account) return redirectTo(ctx, '/domains');
    const next = typeof ctx.query.next === 'string' ? ctx.query.next : undefined;
    render(ctx, 'Log in', loginView({ csrf: ctx.state.csrf, next, canSignUp: await signupAllowed() }));
  });

  router.post('/login', async (ctx: WebContext) => {
    const email = field(ctx.state.form, 'email');
    const password = ctx.state.form.get('password') ?? '';
    const checked = await deps.loginGate.attempt(ctx.ip, email, async () =>
      email && password ? deps.control.verifyAccountPassword(email, password) : null,
    );
    if (!checked.allowed) throw tooMany(checked.retryAfterMs);
    const account = checked.value;
    if (!account) {
      deps.logger.info({ ip: ctx.ip, user: email }, 'authentication failed');
      const view = loginView({
        csrf: ctx.state.csrf,
        email,
        next: field(ctx.state.form, 'next'),
        error: 'Wrong email or password.',
        canSignUp: await signupAllowed(),
      });
      return render(ctx, 'Log in', view, 401);
    }
    await startSession(ctx, deps, account);
    redirectTo(ctx, safeNext(field(ctx.state.form, 'next')));
  });

  router.get('/signup', async (ctx: WebContext) => {
    if (ctx.state.account) return redirectTo(ctx, '/domains');
    if (!(await signupAllowed())) return render(ctx, 'Sign up', signupClosedView(), 403);
    const first = (await deps.control.countAccounts()) === 0;
    render(ctx, 'Sign up', signupView({ csrf: ctx.state.csrf, first }));
  });

  router.post('/signup', async (ctx: WebContext) => {
    await enforce(deps.signupPerIp, `ip:${ctx.ip}`);
    const email = field(ctx.state.form, 'email');
    const form = ctx.state.form;
    const result = await attempt(async () => {
      checkNewPassword(form.get('password') ?? '', form.get('confirm') ?? '');
      // The store decides "first account" (administrator, and allowed with sign-up closed) atomically, so the
      // API and every web process racing for it still yield one administrator.
      const open = deps.config.api.signupOpen;
      if (!open && (await deps.control.countAccounts()) > 0) {
        throw new PermissionError('Sign-up is closed on this server: ask its administrator for an account.');
      }
      return deps.control.createAccount({ email, password: form.get('password') ?? '', onlyIfFirst: !open });
    });
    if (!result.ok) {
      const first = (await deps.control.countAccounts()) === 0;
      return render(ctx, 'Sign up', signupView({ csrf: ctx.state.csrf, email, error: result.error, first }), 400);
    }
    await startSession(ctx, deps, result.value);
    redirectTo(ctx, '/domains', ok('Welcome to Mailyard. Add your first domain below.'));
  });

  router.post('/logout', async (ctx: WebContext) => {
    await endSession(ctx, deps);
    redirectTo(ctx, '/login');
  });

  router.get('/account', (ctx: WebContext) => {
    render(ctx, 'Account', accountView({ account: requireAccount(ctx), csrf: ctx.state.csrf }));
  });

  router.post('/account/password', async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    const form = ctx.state.form;
    const result = await attempt(async () => {
      checkNewPassword(form.get('password') ?? '', form.get('confirm') ?? '');
      const checked = await deps.loginGate.attempt(ctx.ip, account.email, () =>
        deps.control.verifyAccountPassword(account.email, form.get('current') ?? ''),
      );
      if (!checked.allowed) throw tooMany(checked.retryAfterMs);
      if (!checked.value) throw new PermissionError('The current password is wrong.');
      await deps.control.setAccountPassword(account.id, form.get('password') ?? '');
    });
    if (!result.ok) {
      return render(ctx, 'Account', accountView({ account, csrf: ctx.state.csrf, error: result.error }), 400);
    }
    await deps.sessions.deleteForAccount(account.id);
    await startSession(ctx, deps, account);
    redirectTo(ctx, '/account', ok('Password changed. Your other sessions were logged out.'));
  });
}
