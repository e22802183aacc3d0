/** Types and request helpers shared by the route modules. */

import type { Router, RouterContext } from '@koa/router';
import type { Config } from '@mailyard/config';
import type {
  Account,
  ApiToken,
  ControlStore,
  Domain,
  DomainRole,
  ListQuery,
  MailboxAdmin,
  Page,
  TxtMxResolver,
} from '@mailyard/control';
import { AuthenticationError, NotFoundError, PermissionError } from '@mailyard/errors';
import type { ByteBudget, LoginGate } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import { readBody } from './body.js';
import type { MailboxOpener, MailboxSessions } from './mailbox-auth.js';
import { listQuery } from './schemas.js';
import { parseInput } from './validation.js';

export interface ApiState {
  auth?: { account: Account; token: ApiToken };
}

export type ApiContext = RouterContext<ApiState>;
export type ApiRouter = Router<ApiState>;

export interface RouteDeps {
  config: Config;
  logger: Logger;
  control: ControlStore;
  mailstore: MailboxAdmin & MailboxOpener;
  /** Mailboxes unlocked by HTTP clients' mailbox credentials (mailbox-auth.ts). */
  mailboxes: MailboxSessions;
  resolver: TxtMxResolver;
  loginGate: LoginGate;
  /** The process's in-flight byte budget: every request body reserves its bytes from it while it is handled. */
  budget: ByteBudget;
}

export function requireAuth(ctx: ApiContext): { account: Account; token: ApiToken } {
  if (!ctx.state.auth) throw new AuthenticationError('send your API token as the Basic auth username');
  return ctx.state.auth;
}

export function param(ctx: ApiContext, name: string): string {
  return ctx.params[name] ?? '';
}

export async function body(ctx: ApiContext, deps: RouteDeps): Promise<unknown> {
  return readBody(ctx, deps.config.api.bodyLimitBytes, deps.budget);
}

/**
 * The domain named by `:domain` (id, ASCII or Unicode name) when the caller is a member of it, in any role: the
 * check of every domain route. 404 for unknown domains and for those the caller is not a member of alike.
 */
export async function ownDomain(ctx: ApiContext, deps: RouteDeps): Promise<Domain> {
  return (await domainAccess(ctx, deps)).domain;
}

/** ownDomain for what only the domain's admins may do (settings, deletion, members, invites, webhooks): 403. */
export async function adminDomain(ctx: ApiContext, deps: RouteDeps, what: string): Promise<Domain> {
  const { domain, role } = await domainAccess(ctx, deps);
  if (role !== 'admin') throw new PermissionError(`only an admin of ${domain.name} can ${what}`);
  return domain;
}

export async function domainAccess(ctx: ApiContext, deps: RouteDeps): Promise<{ domain: Domain; role: DomainRole }> {
  const { account } = requireAuth(ctx);
  const domain = await deps.control.findDomain(account.id, param(ctx, 'domain'));
  const role = domain ? await deps.control.domainRole(domain.id, account.id) : null;
  if (!domain || !role) throw new NotFoundError('domain not found');
  return { domain, role };
}

export function listParams(ctx: ApiContext): ListQuery {
  return parseInput(listQuery, ctx.query);
}

/** Paging headers (X-Page-Count, X-Item-Count, X-Page-Current, X-Page-Size) and an RFC 8288 Link header. */
export function setPageHeaders(ctx: ApiContext, page: Page<unknown>): void {
  const pageCount = Math.max(1, Math.ceil(page.total / page.limit));
  ctx.set('X-Page-Count', String(pageCount));
  ctx.set('X-Item-Count', String(page.total));
  ctx.set('X-Page-Current', String(page.page));
  ctx.set('X-Page-Size', String(page.limit));
  const link = (n: number, rel: string) => {
    const url = new URL(ctx.href);
    url.searchParams.set('page', String(n));
    url.searchParams.set('limit', String(page.limit));
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const links = [link(1, 'first'), link(pageCount, 'last')];
  if (page.page > 1) links.push(link(Math.min(page.page - 1, pageCount), 'prev'));
  if (page.page < pageCount) links.push(link(page.page + 1, 'next'));
  ctx.set('Link', links.join(', '));
}
