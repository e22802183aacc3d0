/**
 * EXPUNGE, UID EXPUNGE (RFC 4315 §2.1) and the silent expunge of CLOSE (RFC 3501 §6.4.2): removes \Deleted
 * messages and tells the client each one (EXPUNGE, or VANISHED once QRESYNC is on) before the tagged OK.
 */
import type { ImapSession } from 'wildduck/imap-core';
import { failHook } from '../hook-failure.js';
import { asSelected } from '../selected-folder.js';

export interface ExpungeUpdate {
  isUid: boolean;
  messages?: number[];
  silent?: boolean;
}

type ResultCallback = (err: Error | null, success?: boolean | string) => void;

export function onExpunge() {
  return (selected: unknown, update: ExpungeUpdate, session: ImapSession, callback: ResultCallback): void => {
    try {
      const folder = asSelected(selected);
      const removed = folder.mailbox.expunge(folder.path, update.isUid ? (update.messages ?? []) : undefined);
      if (!update.silent) writeExpunges(session, removed);
      callback(null, true);
    } catch (err) {
      callback(null, failHook(session, err, 'onExpunge'));
    }
  };
}

/** One EXPUNGE per removed UID, highest sequence number first so the others keep their numbers (RFC 3501 §7.4.1). */
export function writeExpunges(session: ImapSession, uids: number[]): void {
  for (const uid of [...uids].sort((a, b) => b - a)) {
    const response = session.formatResponse('EXPUNGE', uid);
    if (response) session.writeStream.write(response);
  }
}
