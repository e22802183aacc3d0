/**
 * onMailFrom. MX: the hourly limit per client IP (451 4.7.0, RFC 3463 §3.8), never per claimed sender: MAIL FROM
 * is not authenticated there, and a per-sender count would let anyone throttle a forged sender's mail. Submission: authenticated users only
 * (530 5.7.0, RFC 4954 §6), envelope senders the user may send as only (550 5.7.1, send-as.ts), then the sending
 * limits of the user's alias and domain, shared with POST /v1/emails (sending-limits.ts).
 */
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { envelopeAddress, maySendAs } from '../send-as.js';
import type { ServerState, SubmissionUser } from '../server-state.js';
import { handlerFailure, reply, type SmtpHandlerError } from '../smtp-reply.js';

type Callback = (err?: Error | null) => void;

function retryText(ms: number): string {
  return `try again in ${Math.max(1, Math.ceil(ms / 60_000))} minutes`;
}

async function checkMx(state: ServerState, ip: string): Promise<SmtpHandlerError | null> {
  const limit = await state.mxMessagesPerIp.consume(`mx-ip:${ip}`);
  if (limit.allowed) return null;
  return reply(451, '4.7.0', `Too many messages from your IP address, ${retryText(limit.retryAfterMs)}`);
}

async function checkSubmission(
  state: ServerState,
  address: string,
  user: SubmissionUser | undefined,
): Promise<SmtpHandlerError | null> {
  if (!user) return reply(530, '5.7.0', 'Authentication required');
  if (!(await maySendAs(state.ctx, user, envelopeAddress(address)))) {
    return reply(550, '5.7.1', `Sender address not owned by ${user.address}`);
  }
  const verdict = await state.sendingLimits.consume({ address: user.address, domain: user.domain });
  if (verdict.allowed) return null;
  const which = verdict.limit === 'hourly' ? 'Hourly' : 'Daily';
  return reply(451, '4.7.0', `${which} sending limit reached, ${retryText(verdict.retryAfterMs)}`);
}

export function createOnMailFrom(state: ServerState) {
  return (address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void => {
    const check =
      state.mode === 'mx'
        ? checkMx(state, session.remoteAddress)
        : checkSubmission(state, address.address, session.user as SubmissionUser | undefined);
    check.then(
      (refusal) => callback(refusal),
      (err: unknown) => callback(handlerFailure(state.ctx.logger, err, { hook: 'mail-from' })),
    );
  };
}
