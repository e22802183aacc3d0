/**
 * The maildrop listing taken when a session enters TRANSACTION (RFC 1939 §4): INBOX in ascending UID order,
 * without messages already marked \Deleted (an IMAP client is about to expunge them). Message numbers stay fixed
 * for the session; UIDL values are `<uidValidity>.<uid>`, unique and stable across sessions (RFC 1939 §7, UIDL:
 * 1 to 70 characters in 0x21-0x7E).
 */
import { NotFoundError } from '@mailyard/errors';
import type { MessageSummary } from '@mailyard/mailstore';
import type { OnListMessages, Pop3ListedMessage, Pop3Listing } from 'wildduck/lib/pop3/server';
import { MAILDROP, type Pop3Context } from '../context.js';

export function onListMessages(ctx: Pop3Context): OnListMessages {
  return (session, callback) => {
    try {
      callback(null, listMaildrop(ctx, session.id));
    } catch (err) {
      callback(err as Error);
    }
  };
}

function listMaildrop(ctx: Pop3Context, connectionId: string): Pop3Listing {
  const mailbox = ctx.mailboxes.get(connectionId);
  // The folder row only: status() would count and sum every message of the maildrop for nothing.
  const folder = mailbox.getFolder(MAILDROP);
  if (!folder) throw new NotFoundError('No INBOX');
  const uidValidity = folder.uidValidity;
  const messages = mailbox
    .listMessages(MAILDROP)
    .filter((m) => !m.flags.includes('\\Deleted'))
    .map((m) => toListed(m, uidValidity));
  return { messages, count: messages.length, size: messages.reduce((sum, m) => sum + m.size, 0) };
}

function toListed(message: MessageSummary, uidValidity: number): Pop3ListedMessage {
  return {
    id: `${uidValidity}.${message.uid}`,
    uid: message.uid,
    mailbox: MAILDROP,
    size: message.size,
    seen: message.flags.includes('\\Seen'),
  };
}
