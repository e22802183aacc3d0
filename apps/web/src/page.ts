/** Sending pages and redirects, with the session's flash message and the no-store cache rule for HTML. */
import { RateLimitError, UserError } from '@mailyard/errors';
import type { SafeHtml } from './html.js';
import type { Flash } from './sessions.js';
import { layout } from './views/layout.js';
import type { WebContext } from './web-context.js';

export function render(ctx: WebContext, title: string, body: SafeHtml, status = 200, flash?: Flash): void {
  const session = ctx.state.session;
  const shown = flash ?? session?.flash ?? null;
  if (session) delete session.flash;
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  // Pages hold account data and sometimes secrets shown once: never store them in any cache.
  ctx.set('Cache-Control', 'no-store');
  ctx.body = layout({
    title,
    body,
    account: ctx.state.account ?? null,
    csrf: ctx.state.csrf ?? '',
    path: ctx.path,
    flash: shown,
  });
}

/** 303 See Other after a form post (RFC 9110 §15.4.4), with an optional message for the next page. */
export function redirectTo(ctx: WebContext, path: string, flash?: Flash): void {
  if (flash && ctx.state.session) ctx.state.session.flash = flash;
  ctx.redirect(path);
  ctx.status = 303;
}

export const ok = (text: string): Flash => ({ kind: 'ok', text });

/** A local path to return to after login; anything else (other hosts, `//evil`, `/\evil`) becomes the default. */
export function safeNext(next: unknown, fallback = '/domains'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) {
    return fallback;
  }
  return next;
}

/** Runs a form action: a user error (bad input, conflict, wrong password) comes back as its message to show above
 * the form; rate limits and everything else propagate to the error page. */
export async function attempt<T>(
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    if (!(err instanceof UserError) || err instanceof RateLimitError) throw err;
    return { ok: false, error: err.message };
  }
}
