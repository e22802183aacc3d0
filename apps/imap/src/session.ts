/**
 * One IMAP session's state (RFC 9051 §3): the connection state, the unlocked mailbox after login, the selected
 * folder's view, and what the client enabled (RFC 5161 ENABLE: CONDSTORE, QRESYNC, UTF8=ACCEPT, IMAP4rev2).
 * Commands read and change it; the connection (protocol/connection.ts) owns the socket and calls `flush` after
 * every command.
 */
import type { Logger } from '@mailyard/logger';
import type { MailboxSession } from '@mailyard/mailstore';
import type { ServerContext } from './context.js';
import type { NotifySession } from './notify-session.js';
import type { SessionState } from './protocol/types.js';
import type { SelectedView, Writer } from './selected-view.js';

/** What a session may ask of its connection. */
export interface Transport {
  readonly id: string;
  readonly remoteAddress: string;
  /** TLS is on (implicit TLS or after STARTTLS). */
  readonly secure: boolean;
  readonly compressed: boolean;
  /** Whether STARTTLS can be offered (a TLS certificate is configured and TLS is not on yet). */
  readonly canStartTls: boolean;
  readonly closed: boolean;
  /** A command is running (NOTIFY holds its unsolicited responses for the end of it). */
  readonly busy: boolean;
  /** Writes an untagged response, or raw response bytes, outside a command (NOTIFY, RFC 5465). */
  untagged(text: string | Array<string | Buffer>): Promise<void>;
  write(data: string | Buffer): Promise<void>;
  startTls(): Promise<void>;
  startCompression(): void;
  /** Sends BYE-free close after the current reply. */
  close(): void;
}

export class Session {
  state: SessionState = 'not-authenticated';
  readonly ctx: ServerContext;
  readonly transport: Transport;
  readonly logger: Logger;
  mailbox?: MailboxSession;
  mailboxId?: string;
  user?: string;
  view?: SelectedView;
  readonly enabled = new Set<string>();
  /** CONDSTORE is on: enabled, or a command used a CONDSTORE feature (RFC 7162 §3.1). */
  condstore = false;
  /** Runs after the tagged reply is written (STARTTLS, COMPRESS, LOGOUT). */
  afterReply?: () => Promise<void> | void;
  /** Woken when the mail store reports a change of this mailbox (IDLE waits on it). */
  onMailboxChange?: (folder: string) => void;
  /** Gives back what a login holds (mailbox reference, connection slot, notifier subscription). */
  releaseLogin?: () => void;
  badCommands = 0;
  /** NOTIFY SET in force (RFC 5465, notify-session.ts). */
  notify?: NotifySession;

  constructor(ctx: ServerContext, transport: Transport, logger: Logger) {
    this.ctx = ctx;
    this.transport = transport;
    this.logger = logger;
  }

  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }

  get rev2(): boolean {
    return this.enabled.has('IMAP4REV2');
  }

  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT') || this.rev2;
  }

  /** The unlocked mailbox; commands valid only after login call this. */
  requireMailbox(): MailboxSession {
    if (!this.mailbox) throw new Error('command ran without a logged-in mailbox');
    return this.mailbox;
  }

  requireView(): SelectedView {
    if (!this.view) throw new Error('command ran without a selected folder');
    return this.view;
  }

  /** Leaves the selected state (CLOSE, UNSELECT, a new SELECT). */
  deselect(): void {
    this.view = undefined;
    if (this.state === 'selected') this.state = 'authenticated';
  }

  /** Sends pending changes of the selected folder (see SelectedView.flush); `expunge` false after FETCH/STORE/SEARCH. */
  async flush(write: Writer, expunge: boolean): Promise<void> {
    await this.notify?.flush(write);
    const view = this.view;
    if (!view) return;
    try {
      await view.flush(write, { expunge, condstore: this.condstore, qresync: this.qresync, rev2: this.rev2 });
    } catch (err) {
      if (view.mailbox.getFolder(view.path)) throw err;
      // The selected folder was deleted (or renamed) by another session: the client's numbering has nothing left
      // to refer to, so the session ends, as Dovecot does (RFC 9051 §7.1.5 BYE).
      this.view = undefined;
      await write('BYE Selected folder was deleted or renamed elsewhere');
      this.transport.close();
    }
  }

  end(): void {
    this.view = undefined;
    this.state = 'logout';
    this.releaseLogin?.();
    this.releaseLogin = undefined;
  }
}
