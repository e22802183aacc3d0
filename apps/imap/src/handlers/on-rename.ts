/** RENAME (RFC 3501 §6.3.5): children move with the folder; renaming INBOX moves its messages to a new folder. */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook } from '../hook-failure.js';

type ResultCallback = (err: Error | null, success?: boolean | string) => void;

export function onRename() {
  return (from: string, to: string, session: ImapSession, callback: ResultCallback): void => {
    try {
      mailboxOf(session).renameFolder(from, to);
      callback(null, true);
    } catch (err) {
      callback(null, failHook(session, err, 'onRename'));
    }
  };
}
