/**
 * Storage limits in the dashboard: an alias's max_quota and max_messages, a domain's max_quota_per_alias and
 * max_quota (control/quotas.ts). Only the domain's admin members change them, and only a server administrator
 * sets a limit above the server default (mailbox.quotaBytes), as in the REST API.
 */
import { type Alias, type Domain, parseMessageLimit, parseQuota, resolveQuota } from '@mailyard/control';
import { NotFoundError, PermissionError, ValidationError } from '@mailyard/errors';
import { field } from '../form-body.js';
import { attempt, ok, redirectTo, render } from '../page.js';
import { address } from '../views/aliases.js';
import {
  type AliasQuotaForm,
  type AliasQuotaShown,
  aliasQuotaSummary,
  aliasQuotaView,
  type DomainQuotaForm,
  domainQuotaSummary,
  domainQuotaView,
  sizeText,
} from '../views/quotas.js';
import {
  adminDomain,
  aliasPath,
  domainPath,
  isDomainAdmin,
  ownAlias,
  requireAccount,
  type WebContext,
  type WebRouteDeps,
  type WebRouter,
} from '../web-context.js';

/**
 * A size field: empty is null (inherit, or no limit). A `capped` one (a mailbox's limit) goes above the server
 * default only for a server administrator; a domain's total is not capped (each mailbox still is).
 */
function sizeField(text: string, label: string, ctx: WebContext, deps: WebRouteDeps, capped = true): number | null {
  if (text.trim() === '') return null;
  let bytes: number | null;
  try {
    bytes = parseQuota(text, label);
  } catch {
    throw new ValidationError(`${label}: give bytes or a size such as 10GB.`);
  }
  const limit = deps.config.mailbox.quotaBytes;
  if (capped && bytes !== null && bytes > limit && !requireAccount(ctx).isAdmin) {
    throw new PermissionError(`${label}: only a server administrator may set more than ${sizeText(limit)}.`);
  }
  return bytes;
}

function countField(text: string, label: string): number | null {
  if (text.trim() === '') return null;
  try {
    return parseMessageLimit(/^\d+$/.test(text.trim()) ? Number(text.trim()) : text, label);
  } catch {
    throw new ValidationError(`${label}: give a whole number of messages.`);
  }
}

/** The alias's limits and usage as the dashboard shows them; null for an alias without a mailbox. */
export async function aliasQuota(deps: WebRouteDeps, alias: Alias): Promise<AliasQuotaShown | null> {
  if (!alias.mailboxId) return null;
  const record = await deps.control.aliasQuota(alias.id);
  if (!record) return null;
  return {
    maxQuota: record.maxQuota,
    maxMessages: record.maxMessages,
    effective: resolveQuota(record, deps.config.mailbox.quotaBytes),
  };
}

/** The Storage section of an alias page ('' for an alias without a mailbox). */
export async function aliasStorageSection(deps: WebRouteDeps, domain: Domain, alias: Alias, isAdmin: boolean) {
  const quota = await aliasQuota(deps, alias);
  return quota ? aliasQuotaSummary({ domain, alias, quota, isAdmin }) : '';
}

/** The Storage section of the domain page; the link to change the limits only for the domain's admins. */
export async function domainStorageSection(deps: WebRouteDeps, domain: Domain, isAdmin: boolean) {
  const quota = await deps.control.domainQuota(domain.id);
  return quota ? domainQuotaSummary({ domain, quota, serverDefault: deps.config.mailbox.quotaBytes, isAdmin }) : '';
}

export function registerQuotaRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const serverDefault = deps.config.mailbox.quotaBytes;

  router.get('/domains/:domain/aliases/:alias/quota', async (ctx: WebContext) => {
    const { domain, alias } = await ownAlias(ctx, deps);
    const quota = await aliasQuota(deps, alias);
    if (!quota) throw new NotFoundError('this alias has no mailbox');
    const isAdmin = await isDomainAdmin(ctx, deps, domain);
    const view = aliasQuotaView({ domain, alias, quota, csrf: ctx.state.csrf, isAdmin });
    render(ctx, `Storage of ${address(alias, domain)}`, view);
  });

  router.post('/domains/:domain/aliases/:alias/quota', async (ctx: WebContext) => {
    const { alias } = await ownAlias(ctx, deps);
    const domain = await adminDomain(ctx, deps);
    const form: AliasQuotaForm = {
      maxQuota: field(ctx.state.form, 'max_quota'),
      maxMessages: field(ctx.state.form, 'max_messages'),
    };
    const result = await attempt(async () => {
      const patch = {
        maxQuota: sizeField(form.maxQuota, 'Storage limit', ctx, deps),
        maxMessages: countField(form.maxMessages, 'Message limit'),
      };
      if (!(await deps.control.setAliasQuota(alias.id, patch))) throw new NotFoundError('alias not found');
    });
    if (!result.ok) {
      const quota = await aliasQuota(deps, alias);
      if (!quota) throw new NotFoundError('this alias has no mailbox');
      const view = aliasQuotaView({
        domain,
        alias,
        quota,
        csrf: ctx.state.csrf,
        form,
        error: result.error,
        isAdmin: true,
      });
      return render(ctx, `Storage of ${address(alias, domain)}`, view, 400);
    }
    redirectTo(ctx, aliasPath(domain, alias), ok('Limits saved.'));
  });

  // The domain's limits form is for its admins (a user member's domain page has no link to it).
  router.get('/domains/:domain/quota', async (ctx: WebContext) => {
    const domain = await adminDomain(ctx, deps);
    const quota = await deps.control.domainQuota(domain.id);
    if (!quota) throw new NotFoundError('domain not found');
    render(ctx, 'Storage limits', domainQuotaView({ domain, quota, serverDefault, csrf: ctx.state.csrf }));
  });

  router.post('/domains/:domain/quota', async (ctx: WebContext) => {
    const domain = await adminDomain(ctx, deps);
    const form: DomainQuotaForm = {
      maxQuotaPerAlias: field(ctx.state.form, 'max_quota_per_alias'),
      maxQuota: field(ctx.state.form, 'max_quota'),
    };
    const result = await attempt(async () => {
      const patch = {
        maxQuotaPerAlias: sizeField(form.maxQuotaPerAlias, 'Limit per mailbox', ctx, deps),
        maxQuota: sizeField(form.maxQuota, 'Limit of all mailboxes', ctx, deps, false),
      };
      if (!(await deps.control.setDomainQuota(domain.id, patch))) throw new NotFoundError('domain not found');
    });
    if (!result.ok) {
      const quota = await deps.control.domainQuota(domain.id);
      if (!quota) throw new NotFoundError('domain not found');
      const view = domainQuotaView({ domain, quota, serverDefault, csrf: ctx.state.csrf, form, error: result.error });
      return render(ctx, 'Storage limits', view, 400);
    }
    redirectTo(ctx, domainPath(domain), ok('Storage limits saved.'));
  });
}
