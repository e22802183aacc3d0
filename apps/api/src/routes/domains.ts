/**
 * Hosted domains, their DNS records and the check of those records against DNS. A new domain is not hosted for
 * routing until verified: its ownership TXT record found by verify-records (or the hourly check), or marked by an
 * administrator (`verified: true` here, or PUT /v1/admin/domains/{domain}/verification). A name, its parents and
 * its subdomains belong to one account: 409 when another account holds one of them. `has_recipient_verification`
 * makes every alias of the domain verify its external forwards; switching it on emails the links at once.
 */
import { domainToASCII } from 'node:url';
import { addDomain, checkDomain, isWebhookUrl, normalizeDomain, normalizeRecipient } from '@mailyard/control';
import { NotFoundError, PermissionError, ValidationError } from '@mailyard/errors';
import type { MessageSender } from '@mailyard/smtp';
import {
  type ApiContext,
  type ApiRouter,
  adminDomain,
  body,
  listParams,
  ownDomain,
  param,
  type RouteDeps,
  requireAuth,
  setPageHeaders,
} from '../context.js';
import { presentDomain, presentDomainSummary } from '../present.js';
import { applyDomainQuota, domainQuotaPatch, quotaSetter, withDomainQuota } from '../quota-fields.js';
import { domainCreate, domainUpdate, domainVerification } from '../schemas.js';
import { parseInput } from '../validation.js';
import { requestDomainVerifications } from './alias-verification.js';

export function registerDomainRoutes(router: ApiRouter, deps: RouteDeps, sender?: MessageSender): void {
  const hostname = deps.config.hostname;

  router.get('/domains', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    const query = listParams(ctx);
    const page = await deps.control.listDomains(account.id, { ...query, name: asciiFilter(query.name) });
    setPageHeaders(ctx, page);
    ctx.body = page.items.map(presentDomainSummary);
  });

  router.post('/domains', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    const input = parseInput(domainCreate, await body(ctx, deps));
    const name = normalizeDomain(input.name);
    if (!name) throw new ValidationError(`not a valid domain name: ${input.name}`, 'name');
    if (input.verified && !account.isAdmin) {
      throw new PermissionError('only an administrator can add a domain as verified: publish the TXT record instead');
    }
    const catchAll = catchAllRecipients(input.catchall, account.email);
    const quota = domainQuotaPatch(input, quotaSetter(ctx, deps));
    const added = await addDomain(deps.control, {
      accountId: account.id,
      name,
      dmarcPolicy: input.dmarc_policy,
      description: input.description,
      verified: input.verified === true,
    });
    const domain = input.has_recipient_verification
      ? ((await deps.control.updateDomain(added.accountId, added.id, { hasRecipientVerification: true })) ?? added)
      : added;
    if (catchAll) await deps.control.createAlias(domain.id, { name: '*', recipients: catchAll });
    if (domain.hasRecipientVerification) await requestDomainVerifications(deps, sender, domain);
    await applyDomainQuota(deps, domain.id, quota);
    ctx.status = 201;
    ctx.body = await withDomainQuota(deps, presentDomain(domain, hostname), domain.id);
  });

  router.get('/domains/:domain', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    ctx.body = await withDomainQuota(deps, presentDomain(domain, hostname), domain.id);
  });

  router.put('/domains/:domain', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'change its settings');
    const input = parseInput(domainUpdate, await body(ctx, deps));
    const patch = {
      dmarcPolicy: input.dmarc_policy,
      description: input.description,
      hasRecipientVerification: input.has_recipient_verification,
    };
    const quota = domainQuotaPatch(input, quotaSetter(ctx, deps));
    const updated = await deps.control.updateDomain(domain.accountId, domain.id, patch);
    if (!updated) throw new NotFoundError('domain not found');
    if (updated.hasRecipientVerification && !domain.hasRecipientVerification) {
      await requestDomainVerifications(deps, sender, updated);
    }
    await applyDomainQuota(deps, updated.id, quota);
    ctx.body = await withDomainQuota(deps, presentDomain(updated, hostname), updated.id);
  });

  router.delete('/domains/:domain', async (ctx: ApiContext) => {
    const domain = await adminDomain(ctx, deps, 'delete it');
    const removed = await deps.control.deleteDomain(domain.accountId, domain.id);
    if (!removed) throw new NotFoundError('domain not found');
    for (const mailboxId of removed.mailboxIds) await deps.mailstore.deleteMailbox(mailboxId);
    ctx.status = 204;
  });

  router.get('/domains/:domain/verify-records', async (ctx: ApiContext) => {
    const checked = await checkDomain(deps.control, await ownDomain(ctx, deps), { hostname, resolver: deps.resolver });
    ctx.body = {
      domain: checked.domain.name,
      checked_at: checked.checkedAt.toISOString(),
      all_ok: checked.allOk,
      verified: checked.domain.verifiedAt !== null,
      verified_by: checked.domain.verifiedBy,
      records: checked.records,
    };
  });

  router.put('/admin/domains/:domain/verification', async (ctx: ApiContext) => {
    const { account } = requireAuth(ctx);
    if (!account.isAdmin) throw new PermissionError('only an administrator can mark a domain verified');
    const input = parseInput(domainVerification, await body(ctx, deps));
    const domain = await deps.control.findDomainByName(param(ctx, 'domain'));
    if (!domain) throw new NotFoundError('domain not found');
    const marked = await deps.control.setDomainVerification(domain.id, input.verified ? 'admin' : null);
    if (!marked) throw new NotFoundError('domain not found');
    deps.logger.info({ domain: marked.name, verified: input.verified, by: account.email }, 'domain verification set');
    ctx.body = await withDomainQuota(deps, presentDomain(marked, hostname), marked.id);
  });
}

/**
 * The recipients of the catch-all asked for by `catchall` (Forward Email's field), checked before the domain is
 * made so that a bad address adds nothing: email addresses only (a webhook has its own checks on the alias routes).
 */
function catchAllRecipients(catchall: boolean | string | undefined, accountEmail: string): string[] | null {
  if (catchall === undefined || catchall === false) return null;
  const listed = catchall === true ? [accountEmail] : catchall.split(/[\s,]+/).filter((item) => item !== '');
  if (listed.length === 0) throw new ValidationError('catchall: name at least one address, or true', 'catchall');
  return listed.map((item) => {
    const address = isWebhookUrl(item) ? null : normalizeRecipient(item);
    if (!address) throw new ValidationError(`catchall: not an email address: ${item}`, 'catchall');
    return address;
  });
}

const isAscii = (text: string) => [...text].every((c) => c.charCodeAt(0) < 0x80);

/** A Unicode filter is matched against the stored punycode form (whole labels convert exactly). */
function asciiFilter(filter: string | undefined): string | undefined {
  if (filter === undefined || isAscii(filter)) return filter;
  return domainToASCII(filter.toLowerCase()) || filter;
}
