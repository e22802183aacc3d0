/**
 * The mailboxes unlocked by POP3 connections, by connection id. A connection holds at most one; it is released
 * (MailboxSession.close, after which the mail store drops the data key once its grace period passes) when the
 * connection ends, whatever ended it. A login that completes after its connection ended releases at once.
 */
import { ServerError } from '@mailyard/errors';
import type { MailboxSession } from '@mailyard/mailstore';

export class OpenMailboxes {
  /** Live connections, with the mailbox each unlocked (null before login). */
  readonly #byConnection = new Map<string, MailboxSession | null>();

  /** Unlocked mailboxes held right now. */
  get size(): number {
    return [...this.#byConnection.values()].filter((m) => m !== null).length;
  }

  begin(connectionId: string): void {
    this.#byConnection.set(connectionId, null);
  }

  /** Records the mailbox a connection unlocked; a second login on the same connection releases the first. */
  hold(connectionId: string, mailbox: MailboxSession): void {
    if (!this.#byConnection.has(connectionId)) {
      mailbox.close();
      return;
    }
    this.#byConnection.get(connectionId)?.close();
    this.#byConnection.set(connectionId, mailbox);
  }

  /** The mailbox of an authenticated connection; its absence is a bug in the hook order. */
  get(connectionId: string): MailboxSession {
    const mailbox = this.#byConnection.get(connectionId);
    if (!mailbox) throw new ServerError(`no unlocked mailbox for POP3 connection ${connectionId}`);
    return mailbox;
  }

  end(connectionId: string): void {
    const mailbox = this.#byConnection.get(connectionId);
    this.#byConnection.delete(connectionId);
    mailbox?.close();
  }

  endAll(): void {
    for (const connectionId of [...this.#byConnection.keys()]) this.end(connectionId);
  }
}
