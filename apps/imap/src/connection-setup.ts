/**
 * What happens to each connection before imap-core greets it (onConnect) and after it closes (onClose):
 * the per-IP connection limit, per-connection state and logger, the input guard (line limit, LITERAL+) in front
 * of imap-core's parser, and the QRESYNC expunge formatter. On close, the mailbox reference and the connection
 * slots are given back.
 */
import type { ImapConnection, ImapSession } from 'wildduck/imap-core';
import { installVanishedFormatter } from './commands/qresync.js';
import { attachState, type HookContext, stateOf } from './context.js';
import { releaseMailbox } from './handlers/on-auth.js';
import { InputGuard } from './input-guard.js';

/** imap-core refuses literals above this outside APPEND (lib/imap-command.js). */
const IMAP_CORE_OTHER_LITERAL_LIMIT = 1024;

function installInputGuard(ctx: HookContext, connection: ImapConnection): void {
  const parser = connection._parser;
  if (!parser) return;
  const limits = ctx.deps.config.imap;
  const send = connection.send.bind(connection);
  const guard = new InputGuard(parser, {
    maxLineBytes: limits.maxLineBytes,
    maxAppendLiteralBytes: limits.maxLiteralBytes,
    maxOtherLiteralBytes: IMAP_CORE_OTHER_LITERAL_LIMIT,
    onViolation: (reply) => {
      send(reply);
      connection.close();
    },
    reply: (line) => send(line),
  });
  connection._parser = guard;
  connection.send = (payload: string, callback?: () => void) => {
    if (payload === '+ Go ahead' && guard.literals.shift() === 'nonsync') return;
    if (/^\S+ (NO|BAD) (\[TOOBIG\] |Literal too large|Invalid literal size)/.test(payload)) guard.literals.shift();
    send(payload, callback);
  };
}

/**
 * With COMPRESS=DEFLATE (RFC 4978) on, imap-core ends the socket right after writing BYE and the LOGOUT reply
 * into the deflate stream, before zlib has produced those bytes: the client (mbsync) sees EOF without them.
 * Closing waits for the deflate stream to flush first.
 */
function flushCompressionBeforeClose(connection: ImapConnection): void {
  const close = connection.close.bind(connection);
  connection.close = (force?: boolean) => {
    const deflate = (connection as ImapConnection & { _deflate?: { flush(cb: () => void): void } | null })._deflate;
    if (force || !deflate) return close(force);
    deflate.flush(() => setImmediate(() => close(force)));
  };
}

export function onConnect(ctx: HookContext) {
  return (session: ImapSession, callback: (err?: Error) => void): void => {
    const connection = session.writeStream.connection;
    const logger = ctx.logger.child({ cid: connection.id, ip: session.remoteAddress });
    const releaseIp = ctx.perIp.acquire(session.remoteAddress);
    attachState(session, { logger, qresync: false, ...(releaseIp ? { releaseIp } : {}) });
    if (!releaseIp) {
      logger.warn({ protocol: 'imap' }, 'too many connections from address');
      callback(new Error('[LIMIT] Too many connections from your address'));
      return;
    }
    // Replies are written line by line; without this Nagle's algorithm holds the tagged line back until the
    // client's delayed ACK (about 40 ms per command).
    connection._socket.setNoDelay(true);
    installInputGuard(ctx, connection);
    installVanishedFormatter(connection);
    flushCompressionBeforeClose(connection);
    callback();
  };
}

export function onClose() {
  return (session: ImapSession, done: () => void): void => {
    const state = stateOf(session);
    releaseMailbox(session);
    state.releaseIp?.();
    state.releaseIp = undefined;
    done();
  };
}
