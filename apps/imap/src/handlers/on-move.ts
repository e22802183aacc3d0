/**
 * MOVE / UID MOVE (RFC 6851): copy, expunge from the source, one EXPUNGE (or VANISHED) per moved message, then
 * the tagged OK with COPYUID (RFC 6851 §4.3 allows it there).
 */
import type { ImapSession } from 'wildduck/imap-core';
import { failHook } from '../hook-failure.js';
import { asSelected } from '../selected-folder.js';
import { type TransferCallback, type TransferUpdate, transferPrecheck } from './on-copy.js';
import { writeExpunges } from './on-expunge.js';

export function onMove() {
  return (selected: unknown, update: TransferUpdate, session: ImapSession, callback: TransferCallback): void => {
    try {
      const stop = transferPrecheck(session, selected, update);
      if (stop) {
        callback(null, stop);
        return;
      }
      const folder = asSelected(selected);
      const result = folder.mailbox.move(folder.path, update.messages, update.destination);
      writeExpunges(session, result.sourceUids);
      callback(null, true, {
        uidValidity: result.uidValidity,
        sourceUid: result.sourceUids,
        destinationUid: result.destUids,
      });
    } catch (err) {
      callback(null, failHook(session, err, 'onMove'));
    }
  };
}
