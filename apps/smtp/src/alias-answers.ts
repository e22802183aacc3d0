/**
 * RCPT TO answers for an address whose alias exists but takes no mail now (asked only when routing found nothing
 * to deliver to, so the common path costs no extra lookup):
 * - a disabled alias answers by its error_code_if_disabled: 250 accepts the recipient and the message is discarded
 *   for it (nothing stored; the mail log says 'discarded'); 550 refuses as an unknown mailbox would (5.1.1);
 *   421 defers. RFC 5321 §3.8/§4.2.3 makes 421 a reply that closes the session, which would cost the other
 *   recipients of the transaction; the per-recipient deferral is 450 (mailbox unavailable), sent with the RFC
 *   3463 detail 4.2.1 (mailbox disabled, not accepting messages), so the sender retries this recipient only.
 * - an enabled alias whose only targets are external forwards still awaiting recipient verification defers with
 *   450 4.2.0, so the message arrives once a recipient confirms within the sender's retry period.
 * None of these counts as a probe for an unknown address (recipient-probing.ts): the alias exists.
 */
import type { SmtpContext } from './deps.js';
import { hostedDomainId, logMailEvents } from './mail-log.js';
import { reply, type SmtpHandlerError } from './smtp-reply.js';

export interface AliasAnswer {
  /** null: accept the recipient (its message is discarded). */
  refusal: SmtpHandlerError | null;
  /** What the mail log records for it. */
  event: 'discarded' | 'rejected' | 'deferred';
}

/** A fresh error per reply: smtp-server keeps what a handler gives it. */
const DISABLED: Record<250 | 421 | 550, () => AliasAnswer> = {
  250: () => ({ refusal: null, event: 'discarded' }),
  421: () => ({
    refusal: reply(450, '4.2.1', 'Mailbox disabled, not accepting messages now; try again later'),
    event: 'deferred',
  }),
  550: () => ({ refusal: reply(550, '5.1.1', 'Recipient address rejected: mailbox disabled'), event: 'rejected' }),
};

/** The answer for a hosted address that routing could not deliver to; null when no alias takes it at all. */
export async function aliasAnswer(ctx: SmtpContext, address: string): Promise<AliasAnswer | null> {
  const routed = await ctx.control.routeRecipient(address);
  if (!routed) return null;
  if (!routed.alias.isEnabled) return DISABLED[routed.alias.errorCodeIfDisabled]();
  if ((routed.awaitingVerification ?? []).length > 0) {
    return {
      event: 'deferred',
      refusal: reply(450, '4.2.0', 'Forwarding address not verified yet; try again later'),
    };
  }
  return null;
}

/**
 * Mail log lines for the recipients of an accepted message that got nothing because their alias is disabled with
 * answer 250 (`delivered` are the addresses that resolved). Never throws: the log must not cost the message.
 */
export async function logDiscarded(
  ctx: SmtpContext,
  addresses: string[],
  delivered: ReadonlySet<string>,
  sender: string,
  messageId: string,
): Promise<void> {
  const events = [];
  for (const address of addresses.filter((a) => !delivered.has(a))) {
    const answer = await aliasAnswer(ctx, address).catch(() => null);
    const domainId = answer?.event === 'discarded' ? await hostedDomainId(ctx, address) : null;
    if (!domainId) continue;
    events.push({
      domainId,
      direction: 'inbound' as const,
      event: 'discarded' as const,
      sender,
      recipient: address,
      messageId,
    });
  }
  await logMailEvents(ctx, events);
}
