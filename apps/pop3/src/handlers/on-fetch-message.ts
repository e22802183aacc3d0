/**
 * RETR and TOP (RFC 1939 §7): the stored bytes of one message, exactly as delivered. RETR frames them itself in
 * one write (wildduck-pop3.ts); TOP goes through wildduck's onFetchMessage stream, which cuts after the header
 * and the requested number of body lines. Both dot-stuff on the wire (RFC 1939 §3).
 */
import { Readable } from 'node:stream';
import { NotFoundError } from '@mailyard/errors';
import type { OnFetchMessage, Pop3ListedMessage, Pop3Session } from 'wildduck/lib/pop3/server';
import { MAILDROP, type Pop3Context } from '../context.js';

export type ReadMessage = (session: Pop3Session, message: Pop3ListedMessage) => Buffer;

export function readMessage(ctx: Pop3Context): ReadMessage {
  return (session, message) => {
    const raw = ctx.mailboxes.get(session.id).getRaw(MAILDROP, message.uid);
    if (!raw) throw new NotFoundError('Message was removed by another session');
    return raw;
  };
}

export function onFetchMessage(ctx: Pop3Context): OnFetchMessage {
  const read = readMessage(ctx);
  return (message, session, callback) => {
    try {
      callback(null, Readable.from([read(session, message)], { objectMode: false }));
    } catch (err) {
      callback(err as Error);
    }
  };
}
