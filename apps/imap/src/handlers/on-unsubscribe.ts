/** UNSUBSCRIBE (RFC 3501 §6.3.7). */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook } from '../hook-failure.js';

type ResultCallback = (err: Error | null, success?: boolean | string) => void;

export function onUnsubscribe() {
  return (path: string, session: ImapSession, callback: ResultCallback): void => {
    try {
      mailboxOf(session).setSubscribed(path, false);
      callback(null, true);
    } catch (err) {
      callback(null, failHook(session, err, 'onUnsubscribe'));
    }
  };
}
