/**
 * APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3). Goes through the store's one ingest path; the tagged
 * OK is sent only after the store has committed the message durably. A missing folder answers NO [TRYCREATE].
 */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook, recordReply } from '../hook-failure.js';

type AppendCallback = (
  err: Error | null,
  success?: boolean | string,
  info?: { uidValidity: number; uid: number },
) => void;

async function append(session: ImapSession, path: string, flags: string[], date: string | false, raw: Buffer) {
  const mailbox = mailboxOf(session);
  if (!mailbox.getFolder(path)) {
    return recordReply(session, { response: 'NO', code: 'TRYCREATE', message: 'No such folder' });
  }
  const internalDate = date ? new Date(date) : undefined;
  return mailbox.append(path, raw, { flags, ...(internalDate ? { internalDate } : {}) });
}

export function onAppend() {
  return (
    path: string,
    flags: string[],
    date: string | false,
    raw: Buffer,
    session: ImapSession,
    callback: AppendCallback,
  ): void => {
    append(session, path, flags, date, raw).then(
      (result) => {
        if (typeof result === 'string') return callback(null, result);
        callback(null, true, { uidValidity: result.uidValidity, uid: result.uid });
      },
      (err: unknown) => callback(null, failHook(session, err, 'onAppend')),
    );
  };
}
