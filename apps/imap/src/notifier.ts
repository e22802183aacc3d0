/**
 * The notifier imap-core expects (addListener, removeListener, addEntries, fire, getUpdates), built over the
 * mail store: the store's ChangeNotifier says *that* a folder changed (in this process or any other: SMTP
 * delivery into the spool, another IMAP or POP3 process), and the store's change journal (changesSince) says
 * *what* changed. Events are hints; updates are always read back from the journal, so a lost or merged event
 * costs nothing but latency, and sequence numbers stay right because imap-core applies updates in modseq order
 * to the connection's own UID list (RFC 3501 §7.4.1: EXPUNGE renumbers, EXISTS appends).
 *
 * A 'spool' event for a mailbox this process holds unlocked drains the spool at once (RFC 2177 IDLE clients
 * see new mail within a second); the drain commits into INBOX and publishes 'exists', which wakes listeners.
 */
import type { Logger } from '@mailyard/logger';
import type { ChangeEvent, ChangeNotifier, MailboxSession } from '@mailyard/mailstore';
import type { ImapSession, Notification } from 'wildduck/imap-core';
import { SelectedFolder } from './selected-folder.js';

type ListenerCallback = (message?: unknown) => void;

interface Listener {
  session: ImapSession;
  callback: ListenerCallback;
}

export interface MailyardNotifierOptions {
  changes: ChangeNotifier;
  logger: Logger;
  /** The unlocked mailbox of a logged-in session, used to drain the spool. */
  mailboxFor(session: ImapSession): MailboxSession | undefined;
}

/** Above this many flag changes in one batch, read all flags with one listing instead of one lookup each. */
const FLAG_LOOKUP_BATCH = 20;

export class MailyardNotifier {
  readonly #options: MailyardNotifierOptions;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #unsubscribe = new Map<string, () => void>();
  /** mailboxId -> folders with changes not yet announced to listeners. */
  readonly #pending = new Map<string, Set<string>>();
  #flushScheduled = false;

  constructor(options: MailyardNotifierOptions) {
    this.#options = options;
  }

  addListener(session: ImapSession, callback: ListenerCallback): void {
    const mailboxId = session.user?.id;
    if (!mailboxId) return;
    let listeners = this.#listeners.get(mailboxId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(mailboxId, listeners);
      this.#unsubscribe.set(
        mailboxId,
        this.#options.changes.subscribe(mailboxId, (event) => this.#onChange(event)),
      );
    }
    listeners.add({ session, callback });
  }

  removeListener(session: ImapSession, callback: ListenerCallback): void {
    const mailboxId = session.user?.id;
    if (!mailboxId) return;
    const listeners = this.#listeners.get(mailboxId);
    if (!listeners) return;
    for (const listener of listeners) {
      if (listener.session === session && listener.callback === callback) listeners.delete(listener);
    }
    if (listeners.size > 0) return;
    this.#listeners.delete(mailboxId);
    this.#unsubscribe.get(mailboxId)?.();
    this.#unsubscribe.delete(mailboxId);
  }

  /** The journal lives in the mail store, which records every change itself: nothing to add here. */
  addEntries(_user: unknown, _path: unknown, _entries: unknown, callback?: () => void): void {
    callback?.();
  }

  /** Wakes this process's listeners of a mailbox folder (other processes learn through the ChangeNotifier). */
  fire(mailboxId: string, folder: string): void {
    this.#schedule(mailboxId, folder);
  }

  /** Updates of the selected folder since `modifyIndex`, oldest first, in imap-core's notification shape. */
  getUpdates(selected: unknown, modifyIndex: number, callback: (err: Error | null, updates?: Notification[]) => void) {
    if (!(selected instanceof SelectedFolder)) {
      callback(null, []);
      return;
    }
    let updates: Notification[];
    try {
      updates = readUpdates(selected, modifyIndex);
    } catch (err) {
      callback(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    callback(null, updates);
  }

  /** Number of mailboxes with listeners (for tests and metrics). */
  get mailboxCount(): number {
    return this.#listeners.size;
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe.values()) unsubscribe();
    this.#unsubscribe.clear();
    this.#listeners.clear();
  }

  #onChange(event: ChangeEvent): void {
    if (event.kind === 'spool') {
      this.#drain(event.mailboxId);
      return;
    }
    if (event.kind === 'folder') return;
    this.#schedule(event.mailboxId, event.folder);
  }

  #drain(mailboxId: string): void {
    const listeners = this.#listeners.get(mailboxId);
    if (!listeners) return;
    for (const { session } of listeners) {
      const mailbox = this.#options.mailboxFor(session);
      if (!mailbox) continue;
      mailbox
        .drainSpool()
        .catch((err: unknown) => this.#options.logger.error({ err, mailboxId }, 'spool drain failed'));
      return;
    }
  }

  /** Coalesces bursts (a COPY of 1,000 messages publishes 1,000 events) into one wake-up per listener. */
  #schedule(mailboxId: string, folder: string): void {
    let folders = this.#pending.get(mailboxId);
    if (!folders) {
      folders = new Set();
      this.#pending.set(mailboxId, folders);
    }
    folders.add(folder.toUpperCase());
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [mailboxId, folders] of pending) {
      for (const listener of this.#listeners.get(mailboxId) ?? []) {
        const selected = listener.session.selected;
        if (!selected || !(selected.mailbox instanceof SelectedFolder)) continue;
        if (folders.has(selected.mailbox.path.toUpperCase())) listener.callback();
      }
    }
  }
}

function readUpdates(selected: SelectedFolder, modifyIndex: number): Notification[] {
  const changes = selected.mailbox.changesSince(selected.path, modifyIndex);
  const flagged = changes.filter((c) => c.kind === 'flags').map((c) => c.uid);
  const flagsOf = flagReader(selected, flagged);
  const updates: Notification[] = [];
  for (const change of changes) {
    const ignore = selected.reported.has(change.modseq) ? { ignore: selected.connectionId } : {};
    if (change.kind === 'added') updates.push({ command: 'EXISTS', uid: change.uid, modseq: change.modseq });
    if (change.kind === 'expunged') updates.push({ command: 'EXPUNGE', uid: change.uid, modseq: change.modseq });
    if (change.kind === 'flags') {
      const flags = flagsOf(change.uid);
      if (flags) updates.push({ command: 'FETCH', uid: change.uid, modseq: change.modseq, flags, ...ignore });
    }
  }
  for (const modseq of selected.reported) if (modseq <= modifyIndex) selected.reported.delete(modseq);
  return updates;
}

function flagReader(selected: SelectedFolder, uids: number[]): (uid: number) => string[] | undefined {
  if (uids.length <= FLAG_LOOKUP_BATCH) {
    return (uid) => selected.mailbox.getMessage(selected.path, uid)?.flags;
  }
  const wanted = new Set(uids);
  const flags = new Map<number, string[]>();
  for (const message of selected.mailbox.listMessages(selected.path)) {
    if (wanted.has(message.uid)) flags.set(message.uid, message.flags);
  }
  return (uid) => flags.get(uid);
}
