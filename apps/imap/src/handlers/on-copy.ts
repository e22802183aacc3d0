/** COPY / UID COPY (RFC 3501 §6.4.7) with COPYUID (RFC 4315 §3); a missing target answers NO [TRYCREATE]. */
import type { ImapSession } from 'wildduck/imap-core';
import { failHook, recordReply } from '../hook-failure.js';
import { asSelected } from '../selected-folder.js';

export interface TransferUpdate {
  destination: string;
  messages: number[];
}

export interface TransferInfo {
  uidValidity: number;
  sourceUid: number[];
  destinationUid: number[];
}

export type TransferCallback = (err: Error | null, success?: boolean | string, info?: TransferInfo) => void;

/** Shared by COPY and MOVE: the checks before anything is transferred; returns a reply code or null to go on. */
export function transferPrecheck(session: ImapSession, selected: unknown, update: TransferUpdate): string | null {
  const folder = asSelected(selected);
  if (!folder.mailbox.getFolder(update.destination)) {
    return recordReply(session, { response: 'NO', code: 'TRYCREATE', message: 'No such target folder' });
  }
  if (update.messages.length === 0) {
    return recordReply(session, { response: 'OK', code: false, message: 'No messages to transfer' });
  }
  return null;
}

export function onCopy() {
  return (
    _connection: unknown,
    selected: unknown,
    update: TransferUpdate,
    session: ImapSession,
    callback: TransferCallback,
  ): void => {
    try {
      const stop = transferPrecheck(session, selected, update);
      if (stop) {
        callback(null, stop);
        return;
      }
      const folder = asSelected(selected);
      const result = folder.mailbox.copy(folder.path, update.messages, update.destination);
      callback(null, true, {
        uidValidity: result.uidValidity,
        sourceUid: result.sourceUids,
        destinationUid: result.destUids,
      });
    } catch (err) {
      callback(null, failHook(session, err, 'onCopy'));
    }
  };
}
