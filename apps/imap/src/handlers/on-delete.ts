/** DELETE (RFC 3501 §6.3.4): removes the folder and its messages; INBOX cannot be deleted. */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook } from '../hook-failure.js';

type ResultCallback = (err: Error | null, success?: boolean | string) => void;

export function onDelete() {
  return (path: string, session: ImapSession, callback: ResultCallback): void => {
    try {
      mailboxOf(session).deleteFolder(path);
      callback(null, true);
    } catch (err) {
      callback(null, failHook(session, err, 'onDelete'));
    }
  };
}
