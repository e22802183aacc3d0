/**
 * Every failure becomes a page with a clear message: errors are mapped once through @mailyard/errors (status and
 * public message; code bugs are logged in full and shown only as a generic message). A visitor who is not logged
 * in is sent to the login page instead of an error.
 */
import { AuthenticationError, reportError, toBoom } from '@mailyard/errors';
import type { Logger } from '@mailyard/logger';
import type { Next } from 'koa';
import { html } from './html.js';
import { render } from './page.js';
import type { WebContext } from './web-context.js';

const TITLES: Record<number, string> = {
  400: 'That did not work',
  401: 'Please log in',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Not allowed',
  409: 'Already exists',
  413: 'Too large',
  422: 'That did not work',
  429: 'Too many attempts',
  503: 'Try again later',
};

export function errorTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'That did not work');
}

function errorBody(ctx: WebContext, message: string) {
  const back = ctx.state.account ? '/domains' : '/login';
  return html`<p class="flash flash-error" role="alert">${message}</p>
    <p><a href="${back}">Back to the dashboard</a></p>`;
}

export function errorPages(logger: Logger) {
  return async (ctx: WebContext, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof AuthenticationError && !ctx.state.account) {
        const target = ctx.method === 'GET' ? `?next=${encodeURIComponent(ctx.originalUrl)}` : '';
        ctx.redirect(`/login${target}`);
        ctx.status = 303;
        return;
      }
      reportError(logger, err, { method: ctx.method, path: ctx.path });
      const boom = toBoom(err);
      const status = boom.output.statusCode;
      const retryAfter = boom.output.headers['Retry-After'];
      if (retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter));
      render(ctx, errorTitle(status), errorBody(ctx, String(boom.output.payload.message)), status);
    }
  };
}

/** Router misses (404) and wrong methods (405) get a page too. */
export async function notFoundPage(ctx: WebContext, next: Next): Promise<void> {
  await next();
  if (ctx.body !== undefined && ctx.body !== null) return;
  if (ctx.status === 404) render(ctx, errorTitle(404), errorBody(ctx, 'There is no page at this address.'), 404);
  if (ctx.status === 405) render(ctx, errorTitle(405), errorBody(ctx, 'This page does not accept that request.'), 405);
}
