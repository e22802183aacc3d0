/**
 * RETR and TOP (RFC 1939 §7): the stored bytes of one message, exactly as delivered. wildduck dot-stuffs them on
 * the wire (RFC 1939 §3) and, for TOP, cuts after the header and the requested number of body lines.
 */
import { Readable } from 'node:stream';
import { NotFoundError } from '@mailyard/errors';
import type { OnFetchMessage } from 'wildduck/lib/pop3/server';
import { MAILDROP, type Pop3Context } from '../context.js';

export function onFetchMessage(ctx: Pop3Context): OnFetchMessage {
  return (message, session, callback) => {
    try {
      const raw = ctx.mailboxes.get(session.id).getRaw(MAILDROP, message.uid);
      if (!raw) throw new NotFoundError('Message was removed by another session');
      callback(null, Readable.from([raw], { objectMode: false }));
    } catch (err) {
      callback(err as Error);
    }
  };
}
