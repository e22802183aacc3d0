/**
 * Domains: list, add (with a fresh DKIM key through @mailyard/control's addDomain), settings, DNS check, delete.
 * The DNS check (checkDomain) also verifies the domain when its ownership record is found: only verified domains
 * receive mail. A name held by another account (or a parent or subdomain of one) is refused with its reason.
 */

import { requestDomainVerifications } from '@mailyard/api';
import {
  addDomain,
  checkDomain,
  type DmarcPolicy,
  domainToDisplay,
  expectedRecords,
  normalizeDomain,
} from '@mailyard/control';
import { NotFoundError, ValidationError } from '@mailyard/errors';
import { checkbox, field } from '../form-body.js';
import { attempt, ok, redirectTo, render } from '../page.js';
import { deleteDomainView, domainsView, domainView, webhookSecretView } from '../views/domains.js';
import {
  adminDomain,
  domainPath,
  isDomainAdmin,
  ownDomain,
  pageNumber,
  requireAccount,
  type WebContext,
  type WebRouteDeps,
  type WebRouter,
} from '../web-context.js';
import { domainStorageSection } from './quotas.js';

const PAGE_SIZE = 50;
const MAX_DESCRIPTION = 1000;

function dmarcPolicy(value: string): DmarcPolicy {
  if (value === 'none' || value === 'quarantine' || value === 'reject') return value;
  throw new ValidationError('Choose a DMARC policy: none, quarantine or reject.', 'dmarc_policy');
}

function description(value: string): string {
  if (value.length > MAX_DESCRIPTION)
    throw new ValidationError(`The description is over ${MAX_DESCRIPTION} characters.`);
  return value;
}

export function registerDomainRoutes(router: WebRouter, deps: WebRouteDeps): void {
  const hostname = deps.config.hostname;
  const listPage = async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    return deps.control.listDomains(account.id, { page: pageNumber(ctx), limit: PAGE_SIZE, sort: 'name' });
  };

  router.get('/domains', async (ctx: WebContext) => {
    render(ctx, 'Domains', domainsView({ page: await listPage(ctx), csrf: ctx.state.csrf }));
  });

  router.post('/domains', async (ctx: WebContext) => {
    const account = requireAccount(ctx);
    const form = {
      name: field(ctx.state.form, 'name'),
      description: field(ctx.state.form, 'description'),
      dmarcPolicy: field(ctx.state.form, 'dmarc_policy'),
    };
    const result = await attempt(async () => {
      const name = normalizeDomain(form.name);
      if (!name) throw new ValidationError(`“${form.name}” is not a valid domain name (for example example.com).`);
      return addDomain(deps.control, {
        accountId: account.id,
        name,
        dmarcPolicy: dmarcPolicy(form.dmarcPolicy || 'none'),
        description: description(form.description),
      });
    });
    if (!result.ok) {
      const view = domainsView({ page: await listPage(ctx), csrf: ctx.state.csrf, form, error: result.error });
      return render(ctx, 'Domains', view, 400);
    }
    const added = `Domain ${domainToDisplay(result.value.name)} added. Publish the DNS records below, then verify them.`;
    redirectTo(ctx, domainPath(result.value), ok(added));
  });

  router.get('/domains/:domain', async (ctx: WebContext) => {
    const domain = await ownDomain(ctx, deps);
    const records = expectedRecords(domain, hostname);
    const isAdmin = await isDomainAdmin(ctx, deps, domain);
    const storage = await domainStorageSection(deps, domain, isAdmin);
    const view = domainView({ domain, records, checked: false, csrf: ctx.state.csrf, storage, isAdmin });
    render(ctx, domainToDisplay(domain.name), view);
  });

  router.post('/domains/:domain/verify', async (ctx: WebContext) => {
    const domain = await ownDomain(ctx, deps);
    const isAdmin = await isDomainAdmin(ctx, deps, domain);
    const checked = await checkDomain(deps.control, domain, { hostname, resolver: deps.resolver });
    const flash = checked.allOk
      ? ok('All records are published correctly.')
      : { kind: 'error' as const, text: 'Some records are missing or wrong: see the Status column.' };
    const view = domainView({
      domain: checked.domain,
      records: checked.records,
      checked: true,
      csrf: ctx.state.csrf,
      isAdmin,
    });
    render(ctx, domainToDisplay(checked.domain.name), view, 200, flash);
  });

  router.post('/domains/:domain', async (ctx: WebContext) => {
    const domain = await adminDomain(ctx, deps);
    const result = await attempt(async () => {
      const patch = {
        description: description(field(ctx.state.form, 'description')),
        dmarcPolicy: dmarcPolicy(field(ctx.state.form, 'dmarc_policy')),
        hasRecipientVerification: checkbox(ctx.state.form, 'has_recipient_verification'),
      };
      const updated = await deps.control.updateDomain(domain.accountId, domain.id, patch);
      if (!updated) throw new NotFoundError('domain not found');
      // Switched on: every alias's external forwards are asked now, as the API does.
      if (updated.hasRecipientVerification && !domain.hasRecipientVerification) {
        await requestDomainVerifications(deps, deps.sender, updated);
      }
      return updated;
    });
    if (!result.ok) {
      const view = domainView({
        domain,
        records: expectedRecords(domain, hostname),
        checked: false,
        csrf: ctx.state.csrf,
        error: result.error,
        isAdmin: true,
      });
      return render(ctx, domainToDisplay(domain.name), view, 400);
    }
    redirectTo(ctx, domainPath(domain), ok('Settings saved. If you changed the DMARC policy, update its DNS record.'));
  });

  router.post('/domains/:domain/webhook-secret', async (ctx: WebContext) => {
    const domain = await adminDomain(ctx, deps);
    const secret = await deps.control.rotateWebhookSecret(domain.id);
    render(ctx, 'New webhook secret', webhookSecretView({ domain, secret }), 201);
  });

  router.get('/domains/:domain/delete', async (ctx: WebContext) => {
    const domain = await adminDomain(ctx, deps);
    const aliasCount = (await deps.control.listAliases(domain.id, { page: 1, limit: 1 })).total;
    render(
      ctx,
      `Delete ${domainToDisplay(domain.name)}?`,
      deleteDomainView({ domain, aliasCount, csrf: ctx.state.csrf }),
    );
  });

  router.post('/domains/:domain/delete', async (ctx: WebContext) => {
    const domain = await adminDomain(ctx, deps);
    const removed = await deps.control.deleteDomain(domain.accountId, domain.id);
    if (!removed) throw new NotFoundError('domain not found');
    for (const mailboxId of removed.mailboxIds) await deps.mailstore.deleteMailbox(mailboxId);
    redirectTo(ctx, '/domains', ok(`Domain ${domainToDisplay(domain.name)} deleted.`));
  });
}
