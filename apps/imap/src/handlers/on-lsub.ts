/** LSUB (RFC 3501 §6.3.9): the subscribed folders. */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook } from '../hook-failure.js';

type ListCallback = (err: Error | null, folders?: Array<{ path: string; specialUse: string | null }>) => void;

export function onLsub() {
  return (_query: string, session: ImapSession, callback: ListCallback): void => {
    try {
      const folders = mailboxOf(session)
        .listFolders()
        .filter((f) => f.subscribed);
      callback(
        null,
        folders.map((f) => ({ path: f.path, specialUse: f.specialUse })),
      );
    } catch (err) {
      failHook(session, err, 'onLsub');
      callback(new Error('lsub failed'));
    }
  };
}
