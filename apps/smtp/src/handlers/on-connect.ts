/**
 * onConnect / onSecure / onClose: the connection limit per client IP (421 4.7.0 and close, RFC 5321 §3.8) and,
 * on submission, AUTH withheld until TLS is up (RFC 3207 §4, RFC 8314 §3) unless allowInsecureAuth is set.
 * After STARTTLS the connection's deadline guard watches the TLS socket; on close the session's counters go.
 */
import type { Socket } from 'node:net';
import { metrics } from '@mailyard/monitor';
import type { SMTPServerSession } from 'smtp-server';
import type { ServerState } from '../server-state.js';
import { reply } from '../smtp-reply.js';

type Callback = (err?: Error | null) => void;

function protocolLabel(state: ServerState): string {
  return state.mode === 'mx' ? 'smtp' : 'submission';
}

export function createOnConnect(state: ServerState) {
  return (session: SMTPServerSession, callback: Callback): void => {
    const release = state.connections.acquire(session.remoteAddress);
    if (!release) {
      state.ctx.logger.info({ ip: session.remoteAddress }, 'too many connections from one address');
      callback(reply(421, '4.7.0', 'Too many connections from your address, try again later'));
      return;
    }
    state.releases.set(session.id, release);
    metrics.connections.inc({ protocol: protocolLabel(state) });
    if (state.mode === 'submission' && !session.secure && !state.ctx.config.allowInsecureAuth) {
      session.disabledCommands = ['AUTH'];
    }
    callback();
  };
}

export function createOnSecure(state: ServerState) {
  return (socket: Socket, session: SMTPServerSession, callback: Callback): void => {
    state.guards.get(session.id)?.watch(socket);
    if (state.mode === 'submission') session.disabledCommands = undefined;
    callback();
  };
}

export function createOnClose(state: ServerState) {
  return (session: SMTPServerSession): void => {
    state.unknownRecipients.delete(session.id);
    const release = state.releases.get(session.id);
    if (!release) return;
    state.releases.delete(session.id);
    release();
    metrics.connections.dec({ protocol: protocolLabel(state) });
  };
}
