/**
 * The value our onOpen hook hands imap-core as the selected mailbox `_id`. imap-core passes it back to every
 * later hook and to notifier.getUpdates (which gets no session), so it carries the unlocked mailbox and the
 * folder path. One per SELECT, never shared between connections.
 */
import type { MailboxSession } from '@mailyard/mailstore';

export class SelectedFolder {
  readonly path: string;
  readonly mailbox: MailboxSession;
  readonly connectionId: string;
  /** Modseqs this connection already reported in its own command replies (STORE, EXPUNGE): not repeated. */
  readonly reported = new Set<number>();

  constructor(path: string, mailbox: MailboxSession, connectionId: string) {
    this.path = path;
    this.mailbox = mailbox;
    this.connectionId = connectionId;
  }

  /** imap-core compares selected mailboxes by toString(). */
  toString(): string {
    return `${this.mailbox.id}\u0000${this.path}`;
  }
}

export function asSelected(mailbox: unknown): SelectedFolder {
  if (mailbox instanceof SelectedFolder) return mailbox;
  throw new Error('hook called without a selected folder');
}
