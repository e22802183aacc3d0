/** Types shared by the dashboard's middleware and route modules, and the lookups every route needs. */
import type { Router, RouterContext } from '@koa/router';
import type { MessageSender } from '@mailyard/api';
import type { Config } from '@mailyard/config';
import type { Account, Alias, ControlStore, Domain, MailboxAdmin, TxtMxResolver } from '@mailyard/control';
import { AuthenticationError, NotFoundError, PermissionError } from '@mailyard/errors';
import type { LoginGate, RateLimiter } from '@mailyard/limits';
import type { Logger } from '@mailyard/logger';
import type { MailboxSession } from '@mailyard/mailstore';
import type { FormFields } from './form-body.js';
import type { DashboardSessions, Session } from './sessions.js';
import type { TransferJobs } from './transfer-jobs.js';

/**
 * The mail store as the dashboard uses it: mailbox passwords (MailboxAdmin) and, for the backup page, unlocking a
 * mailbox with the password its owner types (zero-access: nothing else opens it).
 */
export interface DashboardMailstore extends MailboxAdmin {
  open(mailboxId: string, password: string): Promise<MailboxSession>;
}

export interface WebState {
  /** The browser's session id (cookie), logged in or not. */
  sid: string;
  session: Session | null;
  account: Account | null;
  /** CSRF token for forms rendered in this response. */
  csrf: string;
  /** The parsed form of a POST (CSRF token already checked). */
  form: FormFields;
}

export type WebContext = RouterContext<WebState>;
export type WebRouter = Router<WebState>;

export interface LoginLimits {
  /** Failed logins checked per client address per window; the next is refused (LoginGate perIp). */
  perIp: number;
  /**
   * Failed logins checked per (email, client address) pair per window. Never per email alone: a guesser must not
   * lock the owner out, so a correct password from an address that has not been failing always gets in.
   */
  perEmailIp: number;
  /** Sign-ups per client address per window. */
  signupsPerIp: number;
  windowMs: number;
}

export interface WebRouteDeps {
  config: Config;
  logger: Logger;
  control: ControlStore;
  mailstore: DashboardMailstore;
  resolver: TxtMxResolver;
  sessions: DashboardSessions;
  csrfKey: Buffer;
  /** Failed password checks (login, password change), per IP and per email+IP. */
  loginGate: LoginGate;
  signupPerIp: RateLimiter;
  /** Imports and restores running in the background (backup page). */
  transferJobs: TransferJobs;
  /** Emails recipient verification links; absent in a dashboard built without one (nothing is then sent). */
  sender?: MessageSender;
  /** Time between two verification emails to one recipient (the API's RESEND_INTERVAL_MS). */
  verificationResendMs: number;
}

export function requireAccount(ctx: WebContext): Account {
  if (!ctx.state.account) throw new AuthenticationError('log in first');
  return ctx.state.account;
}

/** The domain named by `:domain` when the caller is a member of it (any role); 404 for others and unknown ones. */
export async function ownDomain(ctx: WebContext, deps: WebRouteDeps): Promise<Domain> {
  const account = requireAccount(ctx);
  const domain = await deps.control.findDomain(account.id, ctx.params.domain ?? '');
  if (!domain) throw new NotFoundError('domain not found');
  return domain;
}

/** ownDomain for what only the domain's admin members may do (settings, webhook secret, deletion): 403 for users. */
export async function adminDomain(ctx: WebContext, deps: WebRouteDeps): Promise<Domain> {
  const domain = await ownDomain(ctx, deps);
  if ((await deps.control.domainRole(domain.id, requireAccount(ctx).id)) !== 'admin') {
    throw new PermissionError(`only an admin of ${domain.name} can do this`);
  }
  return domain;
}

/** Whether the logged-in account is an admin member of the domain (what the pages offer depends on it). */
export async function isDomainAdmin(ctx: WebContext, deps: WebRouteDeps, domain: Domain): Promise<boolean> {
  return (await deps.control.domainRole(domain.id, requireAccount(ctx).id)) === 'admin';
}

export async function ownAlias(ctx: WebContext, deps: WebRouteDeps): Promise<{ domain: Domain; alias: Alias }> {
  const domain = await ownDomain(ctx, deps);
  const alias = await deps.control.findAlias(domain.id, ctx.params.alias ?? '');
  if (!alias) throw new NotFoundError('alias not found');
  return { domain, alias };
}

export function domainPath(domain: Domain): string {
  return `/domains/${encodeURIComponent(domain.name)}`;
}

export function aliasPath(domain: Domain, alias: Alias): string {
  return `${domainPath(domain)}/aliases/${encodeURIComponent(alias.name)}`;
}

/** 1-based page number from the query string, clamped to a sane range. */
export function pageNumber(ctx: WebContext): number {
  const page = Number.parseInt(String(ctx.query.page ?? '1'), 10);
  return Number.isFinite(page) && page >= 1 ? Math.min(page, 1_000_000) : 1;
}
