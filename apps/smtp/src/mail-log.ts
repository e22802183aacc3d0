/**
 * Writes to each hosted domain's mail log (the control store's mail events, GET /v1/logs): one line per recipient,
 * who to whom and the SMTP answer, never content. A failed write is logged and dropped: the log must never cost
 * or delay a message.
 */
import { type NewMailEvent, splitAddress } from '@mailyard/control';
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
  } catch (err) {
    ctx.logger.warn({ err, component: 'mail-log' }, 'mail log write failed');
  }
}
