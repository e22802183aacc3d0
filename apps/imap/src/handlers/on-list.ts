/** LIST (RFC 3501 §6.3.8) with SPECIAL-USE attributes (RFC 6154); imap-core filters by pattern and adds CHILDREN. */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook } from '../hook-failure.js';

type ListCallback = (err: Error | null, folders?: Array<{ path: string; specialUse: string | null }>) => void;

export function onList() {
  return (_query: string, session: ImapSession, callback: ListCallback): void => {
    try {
      const folders = mailboxOf(session).listFolders();
      callback(
        null,
        folders.map((f) => ({ path: f.path, specialUse: f.specialUse })),
      );
    } catch (err) {
      failHook(session, err, 'onList');
      callback(new Error('list failed'));
    }
  };
}
