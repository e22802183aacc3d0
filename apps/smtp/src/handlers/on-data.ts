/**
 * onData: reads DATA within the byte budget and size limit, spilling large messages to an encrypted temp file,
 * under the connection's DATA deadline and minimum rate (read-data.ts), then runs the MX or submission flow.
 * The reply is sent only after every copy is durable; a failure stores nothing new and is mapped to its reply
 * once, here. The spill file and the budget are released whatever happens.
 */
import type { NewMailEvent } from '@mailyard/control';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { acceptInbound } from '../inbound.js';
import { hostedDomainId, logMailEvents } from '../mail-log.js';
import { readMessage } from '../read-data.js';
import type { ServerState } from '../server-state.js';
import { handlerFailure, type SmtpHandlerError } from '../smtp-reply.js';
import { acceptSubmission } from '../submit.js';

type Callback = (err?: Error | null, message?: string) => void;

async function receive(state: ServerState, stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
  const { ctx } = state;
  const { limits } = ctx;
  const { message, reservation } = await readMessage(stream, {
    budget: ctx.budget,
    maxBytes: ctx.config.smtp.maxMessageSize,
    dataDir: ctx.config.dataDir,
    spillThresholdBytes: limits.spillThresholdBytes,
    spillChunkBytes: limits.spillChunkBytes,
    maxHeaderBytes: limits.maxHeaderBytes,
    watch: state.guards.get(session.id)?.startData(),
  });
  try {
    const accept = state.mode === 'mx' ? acceptInbound : acceptSubmission;
    return await accept(ctx, message, session);
  } finally {
    reservation.release();
    await message.dispose();
  }
}

function isSmtpReply(err: unknown): err is SmtpHandlerError {
  return err instanceof Error && typeof (err as { responseCode?: unknown }).responseCode === 'number';
}

/**
 * A message the MX refuses for good after DATA (DMARC reject, a virus, spam, every recipient's Sieve reject) goes
 * into the mail log of each hosted recipient's domain, with the reply; never awaited by the reply.
 */
async function logRefusal(state: ServerState, session: SMTPServerSession, refusal: SmtpHandlerError): Promise<void> {
  if (state.mode !== 'mx' || refusal.responseCode < 500) return;
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const events: NewMailEvent[] = [];
  for (const { address } of session.envelope.rcptTo) {
    const domainId = await hostedDomainId(state.ctx, address);
    if (!domainId) continue;
    const response = `${refusal.responseCode} ${refusal.message}`;
    events.push({ domainId, direction: 'inbound', event: 'rejected', sender, recipient: address, response });
  }
  await logMailEvents(state.ctx, events);
}

export function createOnData(state: ServerState) {
  return (stream: SMTPServerDataStream, session: SMTPServerSession, callback: Callback): void => {
    state.inflight.count += 1;
    receive(state, stream, session)
      .then(
        (text) => callback(null, text),
        (err: unknown) => {
          if (isSmtpReply(err)) {
            void logRefusal(state, session, err).catch(() => undefined);
            return callback(err);
          }
          callback(handlerFailure(state.ctx.logger, err, { hook: 'data', cid: session.id }));
        },
      )
      .finally(() => {
        state.inflight.count -= 1;
      });
  };
}
