/**
 * Recipient probing (directory harvesting): a client that tries address after address learns which exist from
 * 250 versus 550 5.1.1. Unknown recipients are counted per session and per client IP. In a session, past
 * unknownRecipientsBeforeDelay each further 550 comes only after unknownRecipientDelayMs, and at
 * unknownRecipientsPerSession the session ends with 421 4.7.0 (RFC 5321 §3.8). Per IP, past
 * unknownRecipientsPerIpPerHour every RCPT TO from that address gets 450 4.7.1 until the window is over, known
 * address or not, so the replies stop telling them apart; a real server retries later (RFC 5321 §4.5.4.1).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SMTPServerSession } from 'smtp-server';
import type { ServerState } from './server-state.js';
import { reply, type SmtpHandlerError } from './smtp-reply.js';

function blockedReply(): SmtpHandlerError {
  return reply(450, '4.7.1', 'Too many unknown recipients from your address, try again later');
}

/** The 450 for an IP past its unknown-recipient allowance, or null. */
export function probingRefusal(state: ServerState, ip: string): SmtpHandlerError | null {
  const until = state.unknownBlockedUntil.get(ip);
  if (until === undefined) return null;
  if (until > Date.now()) return blockedReply();
  state.unknownBlockedUntil.delete(ip);
  return null;
}

/** Counts an unknown recipient and returns the reply for it: 550 5.1.1 (maybe late), 450 or 421. */
export async function unknownRecipient(state: ServerState, session: SMTPServerSession): Promise<SmtpHandlerError> {
  const { limits } = state.ctx;
  const ip = session.remoteAddress;
  const count = (state.unknownRecipients.get(session.id) ?? 0) + 1;
  state.unknownRecipients.set(session.id, count);
  const perIp = await state.unknownRecipientsPerIp.consume(ip);
  if (!perIp.allowed) {
    state.unknownBlockedUntil.set(ip, Date.now() + Math.max(perIp.retryAfterMs, 1000));
    state.ctx.logger.info({ ip, cid: session.id }, 'unknown-recipient allowance used up: RCPT TO deferred');
    return blockedReply();
  }
  if (count >= limits.unknownRecipientsPerSession) {
    return reply(421, '4.7.0', 'Too many unknown recipients, closing connection');
  }
  if (count > limits.unknownRecipientsBeforeDelay) await sleep(limits.unknownRecipientDelayMs);
  return reply(550, '5.1.1', 'No such user here');
}
