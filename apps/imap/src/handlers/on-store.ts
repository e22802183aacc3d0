/**
 * STORE / UID STORE (RFC 3501 §6.4.6) with UNCHANGEDSINCE (RFC 7162 §3.1.3): untagged FETCH for each changed
 * message (with MODSEQ once CONDSTORE is on, even for .SILENT), and the UIDs that failed the condition back to
 * imap-core for the MODIFIED response code. The new modseqs are remembered so the notifier does not repeat them.
 */
import type { StoreResult } from '@mailyard/mailstore';
import type { ImapSession } from 'wildduck/imap-core';
import { sequenceLookup } from '../fetch-items.js';
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

/** Untagged FETCH per changed message: FLAGS unless .SILENT, UID for UID STORE, MODSEQ under CONDSTORE. */
function writeFetches(session: ImapSession, update: StoreUpdate, updated: StoreResult['updated']): void {
  const selected = session.selected;
  if (!selected) return;
  const condstore = selected.condstoreEnabled;
  if (update.silent && !condstore) return;
  const seqOf = sequenceLookup(selected.uidList, updated.length);
  for (const changed of updated) {
    const seq = seqOf(changed.uid);
    if (!seq) continue;
    const items = [
      ...(update.isUid ? [`UID ${changed.uid}`] : []),
      ...(update.silent ? [] : [`FLAGS (${changed.flags.join(' ')})`]),
      ...(condstore ? [`MODSEQ (${changed.modseq})`] : []),
    ];
    session.writeStream.write({
      tag: '*',
      command: String(seq),
      attributes: [],
      compiled: `* ${seq} FETCH (${items.join(' ')})`,
    });
  }
}

export function onStore() {
  return (selected: unknown, update: StoreUpdate, session: ImapSession, callback: StoreCallback): void => {
    try {
      const folder = asSelected(selected);
      const result = folder.mailbox.store(folder.path, update.messages, {
        mode: update.action,
        flags: update.value,
        ...(update.unchangedSince ? { unchangedSince: update.unchangedSince } : {}),
      });
      for (const changed of result.updated) folder.reported.add(changed.modseq);
      writeFetches(session, update, result.updated);
      callback(null, true, result.failed);
    } catch (err) {
      callback(null, failHook(session, err, 'onStore'));
    }
  };
}
