/**
 * onRcptTo. MX: only addresses of hosted domains (550 5.7.1 otherwise: never an open relay) that resolve to an
 * alias, +tag subaddress, pattern alias or catch-all (550 5.1.1 otherwise, RFC 3463 §3.2); a disabled alias or one
 * whose forwards await verification answers as alias-answers.ts says. Submission: any recipient for an
 * authenticated user, but hosted addresses must exist. Unknown recipients are counted against probing
 * (recipient-probing.ts: delays, 421, 450 per IP). The recipient cap (452 4.5.3) is smtp-server's maxRecipients
 * (RFC 5321 §4.5.3.1.10).
 */
import { splitAddress } from '@mailyard/control';
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { aliasAnswer } from '../alias-answers.js';
import { hostedDomainId, logMailEvents } from '../mail-log.js';
import { recipientQuotaRefusal } from '../quota-check.js';
import { probingRefusal, unknownRecipient } from '../recipient-probing.js';
import { resolveLocal } from '../routing.js';
import type { ServerState } from '../server-state.js';
import { handlerFailure, reply, type SmtpHandlerError } from '../smtp-reply.js';

type Callback = (err?: Error | null) => void;

async function checkRecipient(
  state: ServerState,
  address: string,
  session: SMTPServerSession,
): Promise<SmtpHandlerError | null> {
  if (state.mode === 'submission' && !session.user) return reply(530, '5.7.0', 'Authentication required');
  const blocked = probingRefusal(state, session.remoteAddress);
  if (blocked) return blocked;
  const parts = splitAddress(address);
  if (!parts) return reply(501, '5.1.3', 'Bad recipient address syntax');
  const hosted = await state.ctx.control.isHostedDomain(parts.domain);
  if (!hosted) {
    return state.mode === 'mx' ? reply(550, '5.7.1', 'Relaying denied: we do not accept mail for that domain') : null;
  }
  const local = await resolveLocal(state.ctx, address);
  if (local) return recipientQuotaRefusal(state.ctx, local, session);
  const answer = await aliasAnswer(state.ctx, address);
  if (answer) {
    if (answer.refusal && state.mode === 'mx')
      await logRejection(state, address, session, answer.refusal, answer.event);
    return answer.refusal;
  }
  const refusal = await unknownRecipient(state, session);
  if (state.mode === 'mx') await logRejection(state, address, session, refusal);
  return refusal;
}

/** An unknown recipient of a hosted domain goes into that domain's mail log (MX only: submission is the user). */
async function logRejection(
  state: ServerState,
  address: string,
  session: SMTPServerSession,
  refusal: SmtpHandlerError,
  event: 'rejected' | 'deferred' | 'discarded' = 'rejected',
) {
  const domainId = await hostedDomainId(state.ctx, address);
  if (!domainId) return;
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  await logMailEvents(state.ctx, [
    {
      domainId,
      direction: 'inbound',
      event,
      sender,
      recipient: address,
      response: `${refusal.responseCode} ${refusal.message}`,
    },
  ]);
}

export function createOnRcptTo(state: ServerState) {
  return (address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void => {
    checkRecipient(state, address.address, session).then(
      (refusal) => callback(refusal),
      (err: unknown) => callback(handlerFailure(state.ctx.logger, err, { hook: 'rcpt-to' })),
    );
  };
}
