/**
 * Carries mailbox changes to the sessions of this process. The mail store's ChangeNotifier says *that* a folder
 * changed (in this process or any other: SMTP delivery into the spool, another IMAP or POP3 process); what
 * changed is always read back from the store's change journal by each session's SelectedView, so a lost or
 * merged event costs latency, never correctness.
 *
 * A 'spool' event for a mailbox this process holds unlocked drains the spool at once (RFC 2177: IDLE clients
 * see new mail within a second); the drain commits into INBOX and publishes 'added', which wakes the sessions.
 */
import type { Logger } from '@mailyard/logger';
import type { ChangeEvent, ChangeNotifier, MailboxSession } from '@mailyard/mailstore';

export interface Watcher {
  /** The unlocked mailbox (for draining the spool). */
  readonly mailbox?: MailboxSession;
  onMailboxChange?: (folder: string) => void;
}

/** Relays the mail store's change events (ChangeNotifier) to the watching sessions of this process. */
export class SessionChangeRelay {
  readonly #changes: ChangeNotifier;
  readonly #logger: Logger;
  readonly #watchers = new Map<string, Set<Watcher>>();
  readonly #unsubscribe = new Map<string, () => void>();
  /** mailboxId -> folders changed since the last wake-up (bursts coalesce into one). */
  readonly #pending = new Map<string, Set<string>>();
  #flushScheduled = false;

  constructor(changes: ChangeNotifier, logger: Logger) {
    this.#changes = changes;
    this.#logger = logger;
  }

  /** Starts telling `watcher` about changes of `mailboxId`; returns the function that stops it. */
  watch(mailboxId: string, watcher: Watcher): () => void {
    let watchers = this.#watchers.get(mailboxId);
    if (!watchers) {
      watchers = new Set();
      this.#watchers.set(mailboxId, watchers);
      this.#unsubscribe.set(
        mailboxId,
        this.#changes.subscribe(mailboxId, (event) => this.#onChange(event)),
      );
    }
    watchers.add(watcher);
    return () => this.#unwatch(mailboxId, watcher);
  }

  /** Number of mailboxes watched (for tests and metrics). */
  get mailboxCount(): number {
    return this.#watchers.size;
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe.values()) unsubscribe();
    this.#unsubscribe.clear();
    this.#watchers.clear();
  }

  #unwatch(mailboxId: string, watcher: Watcher): void {
    const watchers = this.#watchers.get(mailboxId);
    if (!watchers) return;
    watchers.delete(watcher);
    if (watchers.size > 0) return;
    this.#watchers.delete(mailboxId);
    this.#unsubscribe.get(mailboxId)?.();
    this.#unsubscribe.delete(mailboxId);
  }

  #onChange(event: ChangeEvent): void {
    if (event.kind === 'spool') {
      this.#drain(event.mailboxId);
      return;
    }
    let folders = this.#pending.get(event.mailboxId);
    if (!folders) {
      folders = new Set();
      this.#pending.set(event.mailboxId, folders);
    }
    folders.add(event.folder);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #drain(mailboxId: string): void {
    for (const watcher of this.#watchers.get(mailboxId) ?? []) {
      if (!watcher.mailbox) continue;
      watcher.mailbox
        .drainSpool()
        .catch((err: unknown) => this.#logger.error({ err, mailboxId }, 'spool drain failed'));
      return;
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [mailboxId, folders] of pending) {
      for (const watcher of this.#watchers.get(mailboxId) ?? []) {
        for (const folder of folders) watcher.onMailboxChange?.(folder);
      }
    }
  }
}
