/**
 * NOTIFY in force for one session (RFC 5465): which changes the client hears of, for which folders, and when.
 * The mail store's notifier (notifier.ts) wakes the session per changed folder; what changed is read back from
 * the store, never from the event, so a lost or merged event costs nothing but latency.
 *
 * - Folders other than the selected one (§5.2-5.5): message events give `* STATUS name (MESSAGES UIDNEXT
 *   UIDVALIDITY [HIGHESTMODSEQ with FlagChange])` when those values changed since last told; MailboxName gives
 *   `* LIST () "/" name` for a new folder, `* LIST (\NonExistent) "/" name` for a deleted one and
 *   `* LIST () "/" new ("OLDNAME" ("old"))` for a renamed one (§5.4, RFC 5258 §3.6); SubscriptionChange gives
 *   `* LIST (\Subscribed) "/" name` or `* LIST () "/" name` (§5.5), and `* LIST (\NonExistent) "/" name` when a
 *   deleted folder's name leaves the subscriptions. The selected folder never gets STATUS.
 * - The selected folder (§6): SELECTED sends EXISTS, EXPUNGE (VANISHED under QRESYNC), FETCH FLAGS (with
 *   FlagChange) and MessageNew's fetch-att as they happen, also between commands; SELECTED-DELAYED holds the
 *   EXPUNGEs for a command that may carry them (NOOP, IDLE ...), so message numbers never move under the client.
 *   Without a SELECTED group the selected folder is reported as plain IMAP does, at the end of commands.
 * - When: at once while no command runs; during a command (IDLE included) at its end or IDLE's next wake-up.
 *   The store calls are synchronous, so a push runs to its end before the next command is read, unless a write
 *   waits for a client that stopped reading (then a command the client sends meanwhile may run beside it).
 * - Overflow (§5.8): more than `maxPendingNotifications` folder changes waiting to be told (a client that does not
 *   read, a long command) ends NOTIFY with `* OK [NOTIFICATIONOVERFLOW]`, as if the client sent NOTIFY NONE.
 */
import { reportError } from '@mailyard/errors';
import type { Folder } from '@mailyard/mailstore';
import { uidFetch } from './commands/fetch.js';
import { pathToWire } from './mailbox-names.js';
import { type EventGroup, isSelectedFilter, type NotifySpec } from './notify-filter.js';
import type { CommandIo } from './protocol/command.js';
import { imapString, packSet } from './protocol/encode.js';
import type { Writer } from './selected-view.js';
import type { Session } from './session.js';

interface FolderState {
  path: string;
  subscribed: boolean;
}

/** Store paths compare with a first-level INBOX in any case (as the store keys them). */
export function folderKey(path: string): string {
  const [first, ...rest] = path.split('/');
  return first?.toUpperCase() === 'INBOX' ? ['INBOX', ...rest].join('/') : path;
}

function matches(group: EventGroup, folder: FolderState): boolean {
  switch (group.filter) {
    case 'PERSONAL':
      return true;
    case 'INBOXES':
      return folder.path === 'INBOX';
    case 'SUBSCRIBED':
      return folder.subscribed;
    case 'SUBTREE':
      return group.paths.some((p) => folder.path === p || folder.path.startsWith(`${p}/`));
    case 'MAILBOXES':
      return group.paths.includes(folder.path);
    default:
      return false;
  }
}

export class NotifySession {
  readonly spec: NotifySpec;
  readonly #session: Session;
  readonly #selected: EventGroup | undefined;
  readonly #others: EventGroup[];
  /** What the client was last told per folder path: the STATUS items text. */
  readonly #told = new Map<string, string>();
  /** The folder list as last told: MAILBOXID -> name and subscription. */
  #folders = new Map<string, FolderState>();
  /** Subscribed names of deleted folders, as last told (RFC 9051 §6.3.9). */
  #orphans = new Set<string>();
  /** Folders changed since the last flush ('' = some folder, unknown which). */
  readonly #dirty = new Set<string>();
  #pending = 0;
  #chain: Promise<void> = Promise.resolve();
  readonly #hook = (folder: string) => this.onChange(folder);

  constructor(session: Session, spec: NotifySpec) {
    this.#session = session;
    this.spec = {
      ...spec,
      groups: spec.groups.map((g) => ({ ...g, paths: g.paths.map(folderKey) })),
    };
    this.#selected = this.spec.groups.find((g) => isSelectedFilter(g.filter));
    this.#others = this.spec.groups.filter((g) => !isSelectedFilter(g.filter));
  }

  /** Takes effect: learns the folders as they are, and the STATUS lines NOTIFY SET STATUS sends now. */
  start(): string[] {
    const session = this.#session;
    const mailbox = session.requireMailbox();
    this.#folders = this.#folderStates(mailbox.listFolders());
    this.#orphans = new Set(mailbox.orphanSubscriptions());
    const lines: string[] = [];
    for (const folder of this.#folders.values()) {
      const text = this.#statusText(folder);
      if (text === null) continue;
      this.#told.set(folder.path, text);
      if (this.spec.status) lines.push(`STATUS ${this.#name(folder.path)} (${text})`);
    }
    session.notify = this;
    session.onMailboxChange = this.#hook;
    return lines;
  }

  /** NOTIFY NONE, a new NOTIFY SET, or overflow. */
  stop(): void {
    const session = this.#session;
    if (session.notify === this) session.notify = undefined;
    if (session.onMailboxChange === this.#hook) session.onMailboxChange = undefined;
  }

  /** The store says `folder` changed. */
  onChange(folder: string): void {
    if (this.#session.notify !== this) return;
    this.#dirty.add(folder);
    if (++this.#pending > this.#session.ctx.protocol.maxPendingNotifications) {
      this.#overflow();
      return;
    }
    if (this.#session.transport.busy) return;
    this.#chain = this.#chain
      .then(() => this.#push())
      .catch((err: unknown) => {
        if (!this.#session.transport.closed) reportError(this.#session.logger, err, { stage: 'notify' });
      });
  }

  /** Tells what changed in folders other than the selected one (from Session.flush, and between commands). */
  async flush(write: Writer): Promise<void> {
    this.#pending = 0;
    if (this.#dirty.size === 0 || !this.#session.mailbox) return;
    const dirty = new Set(this.#dirty);
    this.#dirty.clear();
    const mailbox = this.#session.requireMailbox();
    const folders = this.#folderStates(mailbox.listFolders());
    await this.#tellFolderList(folders, write);
    await this.#tellOrphans(new Set(mailbox.orphanSubscriptions()), folders, write);
    for (const folder of folders.values()) {
      if (dirty.has(folder.path) || dirty.has('')) await this.#tellStatus(folder, write);
    }
  }

  #overflow(): void {
    this.stop();
    void this.#session.transport
      .untagged('OK [NOTIFICATIONOVERFLOW] Too many changes waiting to be told; NOTIFY is off')
      .catch(() => undefined);
  }

  /** Between commands: other folders first, then the selected one as its group allows. */
  async #push(): Promise<void> {
    const session = this.#session;
    if (session.notify !== this || session.transport.busy || session.transport.closed) return;
    const write: Writer = (line) => session.transport.untagged(line);
    await this.flush(write);
    await this.#pushSelected(write);
  }

  async #pushSelected(write: Writer): Promise<void> {
    const session = this.#session;
    const view = session.view;
    const group = this.#selected;
    if (!view || !group || group.events.size === 0 || !session.mailbox?.getFolder(view.path)) return;
    const before = view.uids.length;
    await view.flush(write, {
      expunge: group.filter === 'SELECTED',
      flags: group.events.has('FlagChange'),
      condstore: session.condstore,
      qresync: session.qresync,
      rev2: session.rev2,
    });
    const fresh = view.uids.slice(before);
    if (group.fetchItems.length > 0 && fresh.length > 0) await this.#fetchNew(fresh, group.fetchItems);
  }

  /** §5.2: MessageNew's fetch-att, answered as UID FETCH of the new messages would be. */
  async #fetchNew(uids: number[], items: string[]): Promise<void> {
    const transport = this.#session.transport;
    const atomToken = (value: string) => ({ type: 'atom' as const, value, raw: Buffer.from(value) });
    const io: CommandIo = {
      untagged: (text) => transport.untagged(text),
      untaggedLines: (lines) => transport.write(Buffer.concat(lines.map((l) => Buffer.from(`* ${l}\r\n`, 'latin1')))),
      raw: (parts) =>
        transport.write(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)))),
      continuation: () => Promise.reject(new Error('no continuation in a notification')),
      nextLine: () => Promise.reject(new Error('no input in a notification')),
    };
    const args = [atomToken(packSet(uids)), { type: 'list' as const, items: items.map(atomToken) }];
    await uidFetch.run({ tag: '*', name: 'UID FETCH', args, session: this.#session, io });
  }

  #folderStates(folders: Folder[]): Map<string, FolderState> {
    return new Map(folders.map((f) => [f.objectId, { path: f.path, subscribed: f.subscribed }]));
  }

  #name(path: string): string {
    return imapString(pathToWire(path, this.#session.utf8));
  }

  #groupFor(folder: FolderState): EventGroup | undefined {
    if (folder.path === this.#session.view?.path) return undefined;
    return this.#others.find((g) => matches(g, folder));
  }

  /** The STATUS items a folder's group asks for, or null when it asks for no message events. */
  #statusText(folder: FolderState): string | null {
    const group = this.#groupFor(folder);
    if (!group?.events.has('MessageNew')) return null;
    const s = this.#session.requireMailbox().status(folder.path);
    const text = `MESSAGES ${s.messages} UIDNEXT ${s.uidNext} UIDVALIDITY ${s.uidValidity}`;
    return group.events.has('FlagChange') ? `${text} HIGHESTMODSEQ ${s.highestModseq}` : text;
  }

  async #tellStatus(folder: FolderState, write: Writer): Promise<void> {
    const text = this.#statusText(folder);
    if (text === null || this.#told.get(folder.path) === text) return;
    this.#told.set(folder.path, text);
    await write(`STATUS ${this.#name(folder.path)} (${text})`);
  }

  /** SubscriptionChange for a deleted folder's name that is no longer subscribed (UNSUBSCRIBE of it, §5.5). */
  async #tellOrphans(now: Set<string>, folders: Map<string, FolderState>, write: Writer): Promise<void> {
    const before = this.#orphans;
    this.#orphans = now;
    const existing = new Set([...folders.values()].map((f) => f.path));
    for (const name of before) {
      if (now.has(name) || existing.has(name)) continue;
      const group = this.#others.find((g) => matches(g, { path: name, subscribed: true }));
      if (group?.events.has('SubscriptionChange')) await write(`LIST (\\NonExistent) "/" ${this.#name(name)}`);
    }
  }

  /** MailboxName and SubscriptionChange: the folder list against the one last told. */
  async #tellFolderList(now: Map<string, FolderState>, write: Writer): Promise<void> {
    const before = this.#folders;
    this.#folders = now;
    const wants = (folder: FolderState, event: 'MailboxName' | 'SubscriptionChange') =>
      this.#others.find((g) => matches(g, folder))?.events.has(event) === true;
    for (const [id, old] of before) {
      if (!now.has(id) && wants(old, 'MailboxName')) await write(`LIST (\\NonExistent) "/" ${this.#name(old.path)}`);
    }
    for (const [id, folder] of now) {
      const old = before.get(id);
      if (!old) {
        if (wants(folder, 'MailboxName')) await write(`LIST () "/" ${this.#name(folder.path)}`);
        continue;
      }
      if (old.path !== folder.path && (wants(folder, 'MailboxName') || wants(old, 'MailboxName'))) {
        this.#told.delete(old.path);
        await write(`LIST () "/" ${this.#name(folder.path)} ("OLDNAME" (${this.#name(old.path)}))`);
      }
      if (old.subscribed !== folder.subscribed && wants(folder, 'SubscriptionChange')) {
        await write(`LIST (${folder.subscribed ? '\\Subscribed' : ''}) "/" ${this.#name(folder.path)}`);
      }
    }
  }
}
