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
    const body = Buffer.from(JSON.stringify(eventPayload(event)));
    for (const hook of hooks.get(event.domainId) ?? []) {
      if (hook.events.includes(event.event)) {
        await ctx.control.enqueueWebhook({ domainId: event.domainId, url: hook.url, body });
      }
    }
  }
}

/** The JSON an event webhook receives: the mail log entry (GET /v1/logs) without its id. */
export function eventPayload(event: NewMailEvent) {
  return {
    type: 'mail_event',
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
