/**
 * What each POP3 connection holds, by connection id: the mailbox it unlocked (null before login) and the slots it
 * took (per-IP, per-user, maildrop lock). All of it is given back when the connection ends, whatever ended it
 * (MailboxSession.close, after which the mail store drops the data key once its grace period passes). A login
 * that completes after its connection ended gives back at once.
 */
import { ServerError } from '@mailyard/errors';
import type { MailboxSession } from '@mailyard/mailstore';

interface Held {
  mailbox: MailboxSession | null;
  releases: Array<() => void>;
}

export class OpenMailboxes {
  readonly #byConnection = new Map<string, Held>();

  /** Unlocked mailboxes held right now. */
  get size(): number {
    return [...this.#byConnection.values()].filter((held) => held.mailbox !== null).length;
  }

  begin(connectionId: string): void {
    this.#byConnection.set(connectionId, { mailbox: null, releases: [] });
  }

  /** Runs `release` when the connection ends (at once when it already has). */
  retain(connectionId: string, release: () => void): void {
    const held = this.#byConnection.get(connectionId);
    if (held) held.releases.push(release);
    else release();
  }

  /**
   * Records the mailbox a connection unlocked, with what the login took (released with it); a second login on
   * the same connection releases the first.
   */
  hold(connectionId: string, mailbox: MailboxSession, releases: Array<() => void> = []): void {
    const held = this.#byConnection.get(connectionId);
    if (!held) {
      mailbox.close();
      for (const release of releases) release();
      return;
    }
    held.mailbox?.close();
    held.mailbox = mailbox;
    held.releases.push(...releases);
  }

  /** The mailbox of an authenticated connection; its absence is a bug in the hook order. */
  get(connectionId: string): MailboxSession {
    const mailbox = this.#byConnection.get(connectionId)?.mailbox;
    if (!mailbox) throw new ServerError(`no unlocked mailbox for POP3 connection ${connectionId}`);
    return mailbox;
  }

  end(connectionId: string): void {
    const held = this.#byConnection.get(connectionId);
    this.#byConnection.delete(connectionId);
    held?.mailbox?.close();
    for (const release of held?.releases ?? []) release();
  }

  endAll(): void {
    for (const connectionId of [...this.#byConnection.keys()]) this.end(connectionId);
  }
}
