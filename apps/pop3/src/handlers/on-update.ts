/**
 * The UPDATE state (RFC 1939 §6), entered by QUIT only: DELE'd messages are marked \Deleted and expunged (the mail
 * store publishes an expunge event per message, so IMAP sessions of the mailbox see EXPUNGE), and messages the
 * client retrieved are marked \Seen. Only the session's own UIDs are expunged, never other \Deleted messages.
 */
import type { OnUpdate, Pop3ListedMessage } from 'wildduck/lib/pop3/server';
import { MAILDROP, type Pop3Context } from '../context.js';

export function onUpdate(ctx: Pop3Context): OnUpdate {
  return (update, session, callback) => {
    try {
      const mailbox = ctx.mailboxes.get(session.id);
      const seen = uids(update.seen);
      const deleted = uids(update.deleted);
      if (seen.length > 0) mailbox.store(MAILDROP, seen, { mode: 'add', flags: ['\\Seen'] });
      if (deleted.length > 0) {
        mailbox.store(MAILDROP, deleted, { mode: 'add', flags: ['\\Deleted'] });
        mailbox.expunge(MAILDROP, deleted);
      }
      callback(null);
    } catch (err) {
      callback(err as Error);
    }
  };
}

function uids(messages: Pop3ListedMessage[]): number[] {
  return messages.map((m) => m.uid);
}
