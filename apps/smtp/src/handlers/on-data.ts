/**
 * onData: reads DATA within the byte budget and size limit, spilling large messages to an encrypted temp file,
 * under the connection's DATA deadline and minimum rate (read-data.ts), then runs the MX or submission flow.
 * The reply is sent only after every copy is durable; a failure stores nothing new and is mapped to its reply
 * once, here. The spill file and the budget are released whatever happens.
 */
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { acceptInbound } from '../inbound.js';
import { readMessage } from '../read-data.js';
import type { ServerState } from '../server-state.js';
import { handlerFailure } from '../smtp-reply.js';
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

function isSmtpReply(err: unknown): boolean {
  return err instanceof Error && typeof (err as { responseCode?: unknown }).responseCode === 'number';
}

export function createOnData(state: ServerState) {
  return (stream: SMTPServerDataStream, session: SMTPServerSession, callback: Callback): void => {
    state.inflight.count += 1;
    receive(state, stream, session)
      .then(
        (text) => callback(null, text),
        (err: unknown) => {
          if (isSmtpReply(err)) return callback(err as Error);
          callback(handlerFailure(state.ctx.logger, err, { hook: 'data', cid: session.id }));
        },
      )
      .finally(() => {
        state.inflight.count -= 1;
      });
  };
}
