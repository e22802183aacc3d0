/** STATUS (RFC 3501 §6.3.10) with HIGHESTMODSEQ (RFC 7162 §3.1.8). */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook } from '../hook-failure.js';

type StatusCallback = (err: Error | null, data?: Record<string, number> | string) => void;

export function onStatus() {
  return (path: string, session: ImapSession, callback: StatusCallback): void => {
    try {
      const status = mailboxOf(session).status(path);
      callback(null, {
        messages: status.messages,
        recent: status.recent,
        uidNext: status.uidNext,
        uidValidity: status.uidValidity,
        unseen: status.unseen,
        highestModseq: status.highestModseq,
      });
    } catch (err) {
      callback(null, failHook(session, err, 'onStatus'));
    }
  };
}
