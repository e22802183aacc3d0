/**
 * Writes to each hosted domain's mail log (the control store's mail events, GET /v1/logs): one line per recipient,
 * who to whom and the SMTP answer, never content, and to the domain's event webhooks. A failed write is logged and
 * dropped: the log must never cost or delay a message.
 */
import { type EventWebhook, type NewMailEvent, splitAddress } from '@mailyard/control';
import type { SmtpContext } from './deps.js';

/** The id of the hosted (verified) domain of `address`, or null when it is not one of ours. */
export async function hostedDomainId(ctx: SmtpContext, address: string): Promise<string | null> {
  const parts = splitAddress(address);
  if (!parts) return null;
  const domain = await ctx.control.findDomainByName(parts.domain);
  return domain?.verifiedAt ? domain.id : null;
}

export async function logMailEvents(ctx: SmtpContext, events: NewMailEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await ctx.control.recordMailEvents(events);
    await queueEventWebhooks(ctx, events);
  } catch (err) {
    ctx.logger.warn({ err, component: 'mail-log' }, 'mail log write failed');
  }
}

/**
 * Each event also goes, as a signed POST through the webhook queue (webhooks/worker.ts), to the domain's event
 * webhooks that name its kind.
 */
async function queueEventWebhooks(ctx: SmtpContext, events: NewMailEvent[]): Promise<void> {
  const hooks = new Map<string, EventWebhook[]>();
  for (const event of events) {
    if (!hooks.has(event.domainId)) hooks.set(event.domainId, await ctx.control.listEventWebhooks(event.domainId));
    const wanted = (hooks.get(event.domainId) ?? []).filter((hook) => hook.events.includes(event.event));
    if (wanted.length === 0) continue;
    const body = Buffer.from(JSON.stringify(eventPayload(event, await domainName(ctx, event))));
    for (const hook of wanted) await ctx.control.enqueueWebhook({ domainId: event.domainId, url: hook.url, body });
  }
}

/**
 * The name of the event's domain: the domain part of its recipient (inbound) or sender (outbound) that is the
 * hosted domain with the event's id. Each writer took the id from that address (hostedDomainId).
 */
async function domainName(ctx: SmtpContext, event: NewMailEvent): Promise<string> {
  for (const address of [event.recipient, event.sender]) {
    const name = address ? splitAddress(address)?.domain : undefined;
    if (name && (await ctx.control.findDomainByName(name))?.id === event.domainId) return name;
  }
  return '';
}

/**
 * The JSON an event webhook receives: the mail log entry (GET /v1/logs, whose `domain` is the name too) without
 * its id, plus the domain's id as GET /v1/domains shows it.
 */
export function eventPayload(event: NewMailEvent, domain: string) {
  return {
    type: 'mail_event',
    domain,
    domain_id: event.domainId,
    direction: event.direction,
    event: event.event,
    sender: event.sender,
    recipient: event.recipient,
    response: event.response ?? null,
    message_id: event.messageId ?? null,
    at: (event.at ?? new Date()).toISOString(),
  };
}
