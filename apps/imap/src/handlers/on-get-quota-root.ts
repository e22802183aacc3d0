/** GETQUOTAROOT (RFC 2087 §4.3, RFC 9208): every folder shares the mailbox's one quota root "". */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook, recordReply } from '../hook-failure.js';

export interface QuotaData {
  root: string;
  quota: number;
  storageUsed: number;
}

type QuotaCallback = (err: Error | null, data?: QuotaData | string) => void;

export function quotaData(session: ImapSession): QuotaData {
  const quota = mailboxOf(session).quota();
  return { root: '', quota: quota.limitBytes, storageUsed: quota.usedBytes };
}

export function onGetQuotaRoot() {
  return (path: string, session: ImapSession, callback: QuotaCallback): void => {
    try {
      if (!mailboxOf(session).getFolder(path)) {
        callback(null, recordReply(session, { response: 'NO', code: 'NONEXISTENT', message: 'No such folder' }));
        return;
      }
      callback(null, quotaData(session));
    } catch (err) {
      callback(null, failHook(session, err, 'onGetQuotaRoot'));
    }
  };
}
