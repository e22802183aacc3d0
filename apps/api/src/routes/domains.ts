import { domainToASCII } from 'node:url';
/** Hosted domains, their DNS records and the check of those records against DNS. */
import { addDomain, checkRecords, normalizeDomain } from '@mailyard/control';
import { NotFoundError, ValidationError } from '@mailyard/errors';
import {
  type ApiContext,
  type ApiRouter,
  body,
  listParams,
  ownDomain,
  type RouteDeps,
  requireAuth,
  setPageHeaders,
} from '../context.js';
import { presentDomain, presentDomainSummary } from '../present.js';
import { domainCreate, domainUpdate } from '../schemas.js';
import { parseInput } from '../validation.js';

export function registerDomainRoutes(router: ApiRouter, deps: RouteDeps): void {
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
    const domain = await addDomain(deps.control, {
      accountId: account.id,
      name,
      dmarcPolicy: input.dmarc_policy,
      description: input.description,
    });
    ctx.status = 201;
    ctx.body = presentDomain(domain, hostname);
  });

  router.get('/domains/:domain', async (ctx: ApiContext) => {
    ctx.body = presentDomain(await ownDomain(ctx, deps), hostname);
  });

  router.put('/domains/:domain', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    const input = parseInput(domainUpdate, await body(ctx, deps));
    const patch = { dmarcPolicy: input.dmarc_policy, description: input.description };
    const updated = await deps.control.updateDomain(domain.accountId, domain.id, patch);
    if (!updated) throw new NotFoundError('domain not found');
    ctx.body = presentDomain(updated, hostname);
  });

  router.delete('/domains/:domain', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    const removed = await deps.control.deleteDomain(domain.accountId, domain.id);
    if (!removed) throw new NotFoundError('domain not found');
    for (const mailboxId of removed.mailboxIds) await deps.mailstore.deleteMailbox(mailboxId);
    ctx.status = 204;
  });

  router.get('/domains/:domain/verify-records', async (ctx: ApiContext) => {
    const domain = await ownDomain(ctx, deps);
    const records = await checkRecords(domain, hostname, deps.resolver);
    const checkedAt = new Date();
    const allOk = records.every((r) => r.status === 'ok');
    const summary = records.map(({ purpose, type, name, status }) => ({ purpose, type, name, status }));
    await deps.control.recordDnsCheck(domain.id, { checkedAt, allOk, records: summary });
    ctx.body = { domain: domain.name, checked_at: checkedAt.toISOString(), all_ok: allOk, records };
  });
}

const isAscii = (text: string) => [...text].every((c) => c.charCodeAt(0) < 0x80);

/** A Unicode filter is matched against the stored punycode form (whole labels convert exactly). */
function asciiFilter(filter: string | undefined): string | undefined {
  if (filter === undefined || isAscii(filter)) return filter;
  return domainToASCII(filter.toLowerCase()) || filter;
}
