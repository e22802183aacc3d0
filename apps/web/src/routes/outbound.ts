/**
 * The outbound log. The queue is not scoped by account, so a member sees only messages whose envelope sender is
 * at one of their domains; an administrator sees every message.
 */
import type { Account, ControlStore, QueueItemSummary } from '@mailyard/control';
import { splitAddress } from '@mailyard/control';
import { NotFoundError } from '@mailyard/errors';
import { render } from '../page.js';
import { deliveryLogView, outboundView } from '../views/outbound.js';
import { requireAccount, type WebContext, type WebRouteDeps, type WebRouter } from '../web-context.js';

const RECENT = 100;
const DOMAIN_PAGE = 1000;

async function domainNames(control: ControlStore, accountId: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (let page = 1; ; page++) {
    const batch = await control.listDomains(accountId, { page, limit: DOMAIN_PAGE, sort: 'name' });
    for (const domain of batch.items) names.add(domain.name);
    if (page * DOMAIN_PAGE >= batch.total) return names;
  }
}

async function visibleItems(control: ControlStore, account: Account): Promise<QueueItemSummary[]> {
  const items = await control.listRecent(RECENT);
  if (account.isAdmin) return items;
  const names = await domainNames(control, account.id);
  return items.filter((item) => {
    const domain = splitAddress(item.envelopeFrom)?.domain;
    return domain !== undefined && names.has(domain);
  });
}

export function registerOutboundRoutes(router: WebRouter, deps: WebRouteDeps): void {
  router.get('/outbound', async (ctx: WebContext) => {
    const items = await visibleItems(deps.control, requireAccount(ctx));
    render(ctx, 'Outbound', outboundView({ items, limit: RECENT }));
  });

  router.get('/outbound/:id', async (ctx: WebContext) => {
    const items = await visibleItems(deps.control, requireAccount(ctx));
    const item = items.find((candidate) => candidate.id === ctx.params.id);
    if (!item) throw new NotFoundError('message not found (only recent messages of your domains are shown)');
    const log = await deps.control.deliveryLog(item.id);
    render(ctx, `Message from ${item.envelopeFrom || '<>'}`, deliveryLogView({ item, log }));
  });
}
