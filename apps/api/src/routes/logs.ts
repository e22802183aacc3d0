/**
 * /v1/logs: the mail log of the account's domains (account token): inbound deliveries and refusals, and what became
 * of the mail its users sent (delivered, deferred, bounced), one entry per recipient with the SMTP answer, never
 * any content. Kept 30 days (MAIL_EVENT_RETENTION_MS; the jobs process prunes). GET /v1/logs pages through it as
 * JSON; GET /v1/logs/download returns every matching entry as one CSV (RFC 4180) or JSON file.
 */
import { Readable } from 'node:stream';
import { type Domain, MAIL_EVENT_RETENTION_MS, type MailEvent, type MailEventQuery } from '@mailyard/control';
import { NotFoundError } from '@mailyard/errors';
import { z } from 'zod';
import { type ApiContext, type ApiRouter, type RouteDeps, requireAuth, setPageHeaders } from '../context.js';
import type { Operation } from '../openapi.js';
import { parseInput } from '../validation.js';

const events = ['delivered', 'rejected', 'deferred', 'bounced', 'discarded'] as const;

export const logQuery = z.object({
  domain: z.string().max(253).optional().describe('Only this domain (id or name); default: all of yours'),
  event: z.enum(events).optional(),
  since: z.iso.datetime().optional().describe('From this time (ISO 8601); default 30 days ago'),
  until: z.iso.datetime().optional().describe('Before this time (ISO 8601); default now'),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const downloadQuery = logQuery.omit({ page: true, limit: true }).extend({
  format: z.enum(['csv', 'json']).default('csv'),
});

export const logEntryOut = z.strictObject({
  id: z.number().int(),
  domain: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  event: z.enum(events),
  sender: z.string(),
  recipient: z.string(),
  /** The SMTP answer or error. */
  response: z.string().nullable(),
  /** Our id of the message (queue id or the Received header's id). */
  message_id: z.string().nullable(),
  at: z.iso.datetime(),
});

export function logOperations(): Operation[] {
  return [
    {
      method: 'get',
      path: '/logs',
      summary: 'Mail log of your domains, newest first: deliveries, refusals, deferrals and bounces (no content)',
      query: logQuery,
      reply: z.array(logEntryOut),
      paged: true,
      status: 200,
    },
    {
      method: 'get',
      path: '/logs/download',
      summary: 'The same entries as one file: CSV (default) or JSON (?format=json)',
      query: downloadQuery,
      produces: ['text/csv'],
      status: 200,
    },
  ];
}

type Filters = z.infer<typeof downloadQuery>;

/** The query over the caller's domains (one named domain must be theirs: 404 otherwise). */
async function scope(ctx: ApiContext, deps: RouteDeps, filters: Omit<Filters, 'format'>) {
  const { account } = requireAuth(ctx);
  let domains: Domain[];
  if (filters.domain) {
    const one = await deps.control.findDomain(account.id, filters.domain);
    if (!one) throw new NotFoundError('domain not found');
    domains = [one];
  } else {
    domains = (await deps.control.listDomains(account.id, { page: 1, limit: 1000 })).items;
  }
  const names = new Map(domains.map((d) => [d.id, d.name]));
  const now = Date.now();
  const query: Omit<MailEventQuery, 'page' | 'limit'> = {
    domainIds: [...names.keys()],
    since: filters.since ? new Date(filters.since) : new Date(now - MAIL_EVENT_RETENTION_MS),
    until: filters.until ? new Date(filters.until) : new Date(now + 1),
    ...(filters.event ? { event: filters.event } : {}),
  };
  return { query, names };
}

function present(event: MailEvent, names: Map<string, string>) {
  return {
    id: event.id,
    domain: names.get(event.domainId) ?? '',
    direction: event.direction,
    event: event.event,
    sender: event.sender,
    recipient: event.recipient,
    response: event.response,
    message_id: event.messageId,
    at: event.at.toISOString(),
  };
}

const COLUMNS = ['at', 'domain', 'direction', 'event', 'sender', 'recipient', 'response', 'message_id'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every matching entry, read a page at a time so a month of log is never held whole. */
async function* entries(deps: RouteDeps, query: Omit<MailEventQuery, 'page' | 'limit'>, names: Map<string, string>) {
  const limit = 1000;
  for (let page = 1; ; page++) {
    const found = await deps.control.listMailEvents({ ...query, page, limit });
    for (const event of found.items) yield present(event, names);
    if (page * limit >= found.total || found.items.length === 0) return;
  }
}

async function* csv(rows: AsyncIterable<ReturnType<typeof present>>) {
  yield `${COLUMNS.join(',')}\r\n`;
  for await (const row of rows) yield `${COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`;
}

async function* json(rows: AsyncIterable<ReturnType<typeof present>>) {
  yield '[';
  let first = true;
  for await (const row of rows) {
    yield `${first ? '' : ','}\n${JSON.stringify(row)}`;
    first = false;
  }
  yield '\n]\n';
}

export function registerLogRoutes(router: ApiRouter, deps: RouteDeps): void {
  router.get('/logs', async (ctx: ApiContext) => {
    const filters = parseInput(logQuery, ctx.query);
    const { query, names } = await scope(ctx, deps, filters);
    const page = await deps.control.listMailEvents({ ...query, page: filters.page, limit: filters.limit });
    setPageHeaders(ctx, page);
    ctx.body = page.items.map((event) => present(event, names));
  });
  router.get('/logs/download', async (ctx: ApiContext) => {
    const { format, ...filters } = parseInput(downloadQuery, ctx.query);
    const { query, names } = await scope(ctx, deps, filters);
    const rows = entries(deps, query, names);
    ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
    ctx.attachment(`mail-log.${format}`);
    ctx.body = Readable.from(format === 'csv' ? csv(rows) : json(rows));
  });
}
