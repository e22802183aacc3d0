/** GETQUOTA (RFC 2087 §4.2, RFC 9208): the one root "" of the mailbox. */
import type { ImapSession } from 'wildduck/imap-core';
import { failHook, recordReply } from '../hook-failure.js';
import { type QuotaData, quotaData } from './on-get-quota-root.js';

type QuotaCallback = (err: Error | null, data?: QuotaData | string) => void;

export function onGetQuota() {
  return (root: string, session: ImapSession, callback: QuotaCallback): void => {
    try {
      if (root !== '') {
        callback(null, recordReply(session, { response: 'NO', code: 'NONEXISTENT', message: 'No such quota root' }));
        return;
      }
      callback(null, quotaData(session));
    } catch (err) {
      callback(null, failHook(session, err, 'onGetQuota'));
    }
  };
}
