/**
 * SELECT / EXAMINE (RFC 3501 §6.3.1-2): the folder's UID list becomes the connection's sequence numbering;
 * HIGHESTMODSEQ (RFC 7162 §3.1.2.1) is where its change tracking starts. The `_id` handed to imap-core is a
 * SelectedFolder, which later hooks and the notifier receive back.
 */
import type { ImapSession } from 'wildduck/imap-core';
import { mailboxOf } from '../context.js';
import { failHook, recordReply } from '../hook-failure.js';
import { SelectedFolder } from '../selected-folder.js';

export interface OpenedFolder {
  _id: SelectedFolder;
  uidValidity: number;
  uidNext: number;
  modifyIndex: number;
  uidList: number[];
  specialUse: string | null;
}

type OpenCallback = (err: Error | null, result?: OpenedFolder | string) => void;

export function onOpen() {
  return (path: string, session: ImapSession, callback: OpenCallback): void => {
    try {
      const mailbox = mailboxOf(session);
      const folder = mailbox.getFolder(path);
      if (!folder) {
        callback(null, recordReply(session, { response: 'NO', code: 'NONEXISTENT', message: 'No such folder' }));
        return;
      }
      callback(null, {
        _id: new SelectedFolder(folder.path, mailbox, session.id),
        uidValidity: folder.uidValidity,
        uidNext: folder.uidNext,
        modifyIndex: folder.highestModseq,
        uidList: mailbox.listMessages(folder.path).map((m) => m.uid),
        specialUse: folder.specialUse,
      });
    } catch (err) {
      callback(null, failHook(session, err, 'onOpen'));
    }
  };
}
