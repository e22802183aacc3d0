/** CREATE (RFC 3501 §6.3.3). An existing name answers NO [ALREADYEXISTS] (RFC 5530). */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook } from '../hook-failure.js';

type ResultCallback = (err: Error | null, success?: boolean | string) => void;

export function onCreate() {
  return (path: string, session: ImapSession, callback: ResultCallback): void => {
    try {
      mailboxOf(session).createFolder(path);
      callback(null, true);
    } catch (err) {
      callback(null, failHook(session, err, 'onCreate'));
    }
  };
}
