/**
 * Cross-process change notification through the filesystem (no Redis needed on one machine).
 *
 * publish() hands the event to subscribers in this process at once and appends one JSON line to
 * notify/<ab>/<id>.events (the lines of one event-loop tick go out in one write). Other processes learn of new lines through fs.watch on the shard directory and,
 * because inotify can merge events or drop them when its queue overflows, a stat poll of each subscribed file:
 * every WATCHED_POLL_MS (5 s) while every subscribed directory is watched, every pollMs (default 250 ms) when one
 * is not (no inotify, or its watch failed). A process that always subscribes (the outbound worker's queue
 * wake-ups) so wakes 0.2 times a second at rest instead of 4.
 * Events are hints: a subscriber re-reads state (changesSince, listMessages) rather than trusting the payload.
 * The file is cut back to empty when it passes 1 MiB; a reader that finds it shorter than its offset starts over,
 * and as lines written between its last read and the cut are lost to it, it tells its subscribers to re-read
 * everything (a 'spool' event and a 'folder' event for folder '': drain, and look at every folder again).
 * Mail never depends on these hints alone: an open mailbox also rechecks its spool (handle.ts).
 * Invariant: publish only after the change committed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, type FSWatcher, openSync, readSync, statSync, watch, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { ensureDir, mailboxPaths } from './paths.js';
import type { ChangeEvent, ChangeNotifier } from './types.js';

const MAX_FILE_BYTES = 1024 * 1024;
/** The stat poll's period while fs.watch covers every subscription: a fallback for events inotify dropped. */
const WATCHED_POLL_MS = 5000;

interface Subscription {
  mailboxId: string;
  file: string;
  dir: string;
  offset: number;
  partial: string;
  callbacks: Set<(event: ChangeEvent) => void>;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export class FileChangeNotifier implements ChangeNotifier {
  readonly #dataDir: string;
  readonly #source = randomBytes(8).toString('hex');
  readonly #subs = new Map<string, Subscription>();
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | null = null;
  #timerMs = 0;
  readonly #outbox = new Map<string, string[]>();
  #flushScheduled = false;
  readonly #onWriteError: (err: unknown, mailboxId: string) => void;

  /** `onWriteError` hears of events that could not be written for other processes (a full disk): they are lost. */
  constructor(
    dataDir: string,
    opts: { pollMs?: number; onWriteError?: (err: unknown, mailboxId: string) => void } = {},
  ) {
    this.#dataDir = dataDir;
    this.#pollMs = opts.pollMs ?? 250;
    this.#onWriteError = opts.onWriteError ?? (() => undefined);
  }

  /** Subscribers in this process hear at once; the file gets one append per mailbox per tick. */
  publish(event: ChangeEvent): void {
    const lines = this.#outbox.get(event.mailboxId) ?? [];
    lines.push(`${JSON.stringify({ ...event, src: this.#source })}\n`);
    this.#outbox.set(event.mailboxId, lines);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
    this.#dispatch(this.#subs.get(event.mailboxId), event);
  }

  #flush(): void {
    this.#flushScheduled = false;
    const outbox = [...this.#outbox];
    this.#outbox.clear();
    for (const [mailboxId, lines] of outbox) {
      try {
        this.#append(mailboxId, lines.join(''));
      } catch (err) {
        // Events are hints (the change itself is committed); a write that fails must not throw out of setImmediate.
        this.#onWriteError(err, mailboxId);
      }
    }
  }

  #append(mailboxId: string, text: string): void {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    ensureDir(paths.notifyDir);
    const fd = openSync(paths.notifyFile, fileSize(paths.notifyFile) > MAX_FILE_BYTES ? 'w' : 'a', 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  }

  subscribe(mailboxId: string, cb: (event: ChangeEvent) => void): () => void {
    const sub = this.#subs.get(mailboxId) ?? this.#addSubscription(mailboxId);
    sub.callbacks.add(cb);
    return () => {
      sub.callbacks.delete(cb);
      if (sub.callbacks.size === 0 && this.#subs.get(mailboxId) === sub) this.#subs.delete(mailboxId);
      if (this.#subs.size === 0) this.#stopPolling();
    };
  }

  close(): void {
    this.#flush();
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    this.#subs.clear();
    this.#stopPolling();
  }

  #addSubscription(mailboxId: string): Subscription {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    const sub: Subscription = {
      mailboxId,
      file: paths.notifyFile,
      dir: paths.notifyDir,
      offset: fileSize(paths.notifyFile),
      partial: '',
      callbacks: new Set(),
    };
    this.#subs.set(mailboxId, sub);
    this.#watchDir(paths.notifyDir);
    this.#startPolling();
    return sub;
  }

  #watchDir(dir: string): void {
    if (this.#watchers.has(dir)) return;
    ensureDir(dir);
    try {
      const watcher = watch(dir, { persistent: false }, (_type, name) => this.#onDirEvent(dir, name));
      watcher.on('error', () => {
        watcher.close();
        this.#watchers.delete(dir);
        // Unwatched now: the poll goes back to pollMs.
        if (this.#subs.size > 0) this.#startPolling();
      });
      this.#watchers.set(dir, watcher);
    } catch {
      // No inotify (e.g. limits reached): the poll below still delivers within #pollMs.
    }
  }

  #onDirEvent(dir: string, name: string | Buffer | null): void {
    for (const sub of this.#subs.values()) {
      if (sub.dir !== dir) continue;
      if (name && String(name) !== basename(sub.file)) continue;
      this.#readNew(sub);
    }
  }

  /** Starts the poll, or changes its period when whether every subscription is watched has changed. */
  #startPolling(): void {
    const everyWatched = [...this.#subs.values()].every((sub) => this.#watchers.has(sub.dir));
    const periodMs = everyWatched ? Math.max(this.#pollMs, WATCHED_POLL_MS) : this.#pollMs;
    if (this.#timer && this.#timerMs === periodMs) return;
    this.#stopPolling();
    this.#timerMs = periodMs;
    this.#timer = setInterval(() => {
      for (const sub of this.#subs.values()) this.#readNew(sub);
    }, periodMs);
    this.#timer.unref();
  }

  #stopPolling(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #readNew(sub: Subscription): void {
    const size = fileSize(sub.file);
    if (size < sub.offset) {
      sub.offset = 0;
      sub.partial = '';
      this.#resync(sub);
    }
    if (size === sub.offset) return;
    const chunk = readRange(sub.file, sub.offset, size - sub.offset);
    sub.offset += chunk.length;
    const lines = (sub.partial + chunk.toString('utf8')).split('\n');
    sub.partial = lines.pop() ?? '';
    for (const line of lines) this.#deliverLine(sub, line);
  }

  #deliverLine(sub: Subscription, line: string): void {
    let parsed: ChangeEvent & { src?: string };
    try {
      parsed = JSON.parse(line) as ChangeEvent & { src?: string };
    } catch {
      return;
    }
    if (parsed.src === this.#source) return;
    const { src: _src, ...event } = parsed;
    this.#dispatch(sub, event);
  }

  /** After a cut-back the reader may have missed lines: subscribers re-read state (events are only hints). */
  #resync(sub: Subscription): void {
    this.#dispatch(sub, { mailboxId: sub.mailboxId, folder: '', kind: 'spool' });
    this.#dispatch(sub, { mailboxId: sub.mailboxId, folder: '', kind: 'folder' });
  }

  #dispatch(sub: Subscription | undefined, event: ChangeEvent): void {
    if (!sub) return;
    for (const cb of [...sub.callbacks]) cb(event);
  }
}

function readRange(path: string, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const n = readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
