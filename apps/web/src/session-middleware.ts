/**
 * Loads the browser's session (cookie -> control store -> account), saves its flash message back after the request,
 * and checks the CSRF token of every state-changing request before routing. Cookie: HttpOnly, SameSite=Lax, Path=/, and over TLS Secure with the
 * `__Host-` prefix (RFC 6265bis §4.1.3.2: no Domain attribute, so no sibling host can set it).
 */
import type { Account } from '@mailyard/control';
import { PermissionError } from '@mailyard/errors';
import type { Next } from 'koa';
import { CSRF_FIELD, csrfToken, isValidCsrfToken } from './csrf.js';
import { readForm } from './form-body.js';
import { isSessionId, newSessionId } from './sessions.js';
import { isUploadPath } from './uploads.js';
import type { WebContext, WebRouteDeps } from './web-context.js';

const cookieName = (ctx: WebContext) => (ctx.secure ? '__Host-mailyard' : 'mailyard');

function setSessionCookie(ctx: WebContext, sid: string, maxAgeMs?: number): void {
  ctx.cookies.set(cookieName(ctx), sid, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    overwrite: true,
    ...(maxAgeMs ? { maxAge: maxAgeMs } : {}),
  });
}

function setAnonymous(ctx: WebContext, deps: WebRouteDeps, sid: string): void {
  ctx.state.sid = sid;
  ctx.state.session = null;
  ctx.state.account = null;
  ctx.state.csrf = csrfToken(deps.csrfKey, sid);
}

export function loadSession(deps: WebRouteDeps) {
  return async (ctx: WebContext, next: Next) => {
    const presented = ctx.cookies.get(cookieName(ctx));
    if (!isSessionId(presented)) {
      const sid = newSessionId();
      setSessionCookie(ctx, sid);
      setAnonymous(ctx, deps, sid);
      return next();
    }
    setAnonymous(ctx, deps, presented);
    const session = await deps.sessions.get(presented);
    const account = session ? await deps.control.getAccount(session.accountId) : null;
    if (session && !account) await deps.sessions.delete(presented);
    if (session && account) {
      ctx.state.session = session;
      ctx.state.account = account;
    }
    await next();
    // The session may have changed during the request (login, logout): save whichever one it ended with.
    if (ctx.state.session) await deps.sessions.save(ctx.state.session);
  };
}

/** Logs in: a fresh session id (no fixation, RFC 6265bis §8.3 advice), so the CSRF token changes too. */
export async function startSession(ctx: WebContext, deps: WebRouteDeps, account: Account): Promise<void> {
  if (ctx.state.session) await deps.sessions.delete(ctx.state.session.id);
  const session = await deps.sessions.create(account.id);
  setSessionCookie(ctx, session.id, deps.config.web.sessionMaxAgeMs);
  ctx.state.sid = session.id;
  ctx.state.session = session;
  ctx.state.account = account;
  ctx.state.csrf = csrfToken(deps.csrfKey, session.id);
}

export async function endSession(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  if (ctx.state.session) await deps.sessions.delete(ctx.state.session.id);
  const sid = newSessionId();
  setSessionCookie(ctx, sid);
  setAnonymous(ctx, deps, sid);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths that take no form and need no session: machine-to-machine endpoints. */
const CSRF_EXEMPT = [/^\/autodiscover\/autodiscover\.xml$/i];

export function checkCsrf(deps: WebRouteDeps) {
  return async (ctx: WebContext, next: Next) => {
    ctx.state.form = new URLSearchParams();
    if (SAFE_METHODS.has(ctx.method) || CSRF_EXEMPT.some((path) => path.test(ctx.path))) return next();
    // File uploads: the route's readUpload checks the token, before a byte of the file is written.
    if (isUploadPath(ctx.path) && ctx.is('multipart/form-data')) return next();
    const form = await readForm(ctx);
    if (!isValidCsrfToken(deps.csrfKey, ctx.state.sid, form.get(CSRF_FIELD) ?? undefined)) {
      throw new PermissionError(
        'This form has expired or was sent from another site. Go back, reload the page and try again.',
      );
    }
    ctx.state.form = form;
    return next();
  };
}
