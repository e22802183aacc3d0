/**
 * STORE / UID STORE (RFC 3501 §6.4.6) with UNCHANGEDSINCE (RFC 7162 §3.1.3): untagged FETCH for each changed
 * message (with MODSEQ once CONDSTORE is on, even for .SILENT), and the UIDs that failed the condition back to
 * imap-core for the MODIFIED response code. The new modseqs are remembered so the notifier does not repeat them.
 */
import type { ImapSession } from 'wildduck/imap-core';
import { failHook } from '../hook-failure.js';
import { asSelected } from '../selected-folder.js';

export interface StoreUpdate {
  value: string[];
  action: 'set' | 'add' | 'remove';
  silent: boolean;
  messages: number[];
  unchangedSince: number;
  isUid?: boolean;
}

type StoreCallback = (err: Error | null, success?: boolean | string, modified?: number[]) => void;

export function onStore() {
  return (selected: unknown, update: StoreUpdate, session: ImapSession, callback: StoreCallback): void => {
    try {
      const folder = asSelected(selected);
      const result = folder.mailbox.store(folder.path, update.messages, {
        mode: update.action,
        flags: update.value,
        ...(update.unchangedSince ? { unchangedSince: update.unchangedSince } : {}),
      });
      const condstore = session.selected !== false && session.selected.condstoreEnabled;
      for (const changed of result.updated) {
        folder.reported.add(changed.modseq);
        if (update.silent && !condstore) continue;
        const response = session.formatResponse('FETCH', changed.uid, {
          uid: update.isUid ? changed.uid : false,
          flags: update.silent ? false : changed.flags,
          modseq: condstore ? changed.modseq : false,
        });
        if (response) session.writeStream.write(response);
      }
      callback(null, true, result.failed);
    } catch (err) {
      callback(null, failHook(session, err, 'onStore'));
    }
  };
}
