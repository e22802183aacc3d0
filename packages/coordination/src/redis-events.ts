/**
 * Mailbox change events over Redis pub/sub: one channel per mailbox (`<namespace>ev:<mailboxId>`), so a process
 * receives only the mailboxes it has subscribed to, on its dedicated subscriber connection.
 *
 * Rules:
 * - publish() hands the event to this process's subscribers at once and PUBLISHes it with this process's source
 *   id; a process ignores its own messages coming back.
 * - One source at a time: while Redis is in use, subscriptions hear Redis alone and the event files (the embedded
 *   transport) are not watched. Every process of a configuration with Redis publishes through Redis (the CLI too,
 *   @mailyard/runtime's openStores), so nothing is written to the files then. The files are watched only while
 *   they may carry events: before the first connect and while Redis is unusable (publish() writes the files
 *   instead, so the instances on this machine keep hearing each other), and for
 *   COORDINATION_LIMITS.recoveryOverlapMs after this process's subscriber reconnects (events go both ways
 *   meanwhile, so an instance whose own reconnect comes a little later does not miss them).
 * - The cost of that choice: a process that alone loses its Redis connection while the others keep theirs writes
 *   its events to files nobody watches, until it reconnects (while only its calls skip Redis after a failure and
 *   the connection is up, publish() sends through Redis as well as the files). Deliveries are not stranded by it (an open mailbox rechecks its spool
 *   every few seconds); other kinds of change are seen at the session's next command or the next event.
 * - When the files start being watched for subscriptions that already exist, each gets a resync event ('spool'
 *   and 'folder' for folder ''): another instance may have written to the files before this one saw the outage.
 *   The resyncs are paced (COORDINATION_LIMITS.resyncBatch mailboxes every resyncTickMs, the first batch at once),
 *   so a process with many sessions does not re-read every mailbox in the same moment; the file watch itself
 *   starts for all of them at once, so new events are not held back.
 * - An event may therefore arrive twice, or (published during the moment an instance loses Redis) not at all:
 *   events are hints, and receivers re-read the mail store (changesSince), so neither costs more than latency;
 *   an open mailbox also rechecks its spool on its own (the mail store's handle), so mail is never stranded.
 * - After a reconnect the subscriber subscribes every channel again (autoResubscribe is off: a subscribe that
 *   failed while disconnected would otherwise be forgotten).
 */
import type { ChangeEvent, ChangeNotifier } from '@mailyard/mailstore';
import { COORDINATION_LIMITS } from './limits.js';
import type { RedisLink } from './redis-link.js';

type Callback = (event: ChangeEvent) => void;

export class RedisEvents implements ChangeNotifier {
  readonly #link: RedisLink;
  readonly #files: ChangeNotifier;
  readonly #prefix: string;
  readonly #subs = new Map<string, Set<Callback>>();
  /** The file subscription of each subscribed mailbox while the files are watched. */
  readonly #fileSubs = new Map<string, () => void>();
  #watchingFiles = false;
  #overlapUntil = 0;
  #overlapTimer: NodeJS.Timeout | undefined;
  #connectedBefore = false;
  /** Subscribed mailboxes still to be told to re-read after the file watch started, in subscription order. */
  readonly #resyncDue = new Set<string>();
  #resyncTimer: NodeJS.Timeout | undefined;
  readonly #stopHealth: () => void;
  #closed = false;

  constructor(link: RedisLink, files: ChangeNotifier, prefix: string) {
    this.#link = link;
    this.#files = files;
    this.#prefix = `${prefix}ev:`;
    link.subscriber.on('message', (channel: string, message: string) => this.#onMessage(channel, message));
    link.subscriber.on('ready', () => this.#onSubscriberReady());
    // The first connect of the command connection may come after the subscriber's: Redis is usable only then.
    link.client.on('ready', () => this.#reconcile());
    this.#stopHealth = link.health.onChange((inOutage) => {
      if (!inOutage) this.#openOverlap();
      this.#reconcile();
    });
  }

  /** Whether subscriptions also read the event files now (during an outage and its overlap; false otherwise). */
  get watchingFiles(): boolean {
    return this.#watchingFiles;
  }

  publish(event: ChangeEvent): void {
    const usable = this.#link.health.usable() || this.#link.unstarted;
    const overlap = Date.now() < this.#overlapUntil;
    const toFiles = !usable || overlap;
    // FileChangeNotifier.publish hands the event to this process's file subscribers itself.
    const heardThroughFiles = toFiles && this.#fileSubs.has(event.mailboxId);
    if (toFiles) this.#files.publish(event);
    if (!heardThroughFiles) this.#dispatch(event);
    const message = JSON.stringify({ ...event, src: this.#link.source });
    if (!usable) {
      // Calls skip Redis for a while after any failure (a command that timed out on a busy machine), but while the
      // connection is up it may still carry this, to the instances that still use Redis and so watch no files.
      if (this.#link.client.status === 'ready') {
        this.#link.client.publish(this.#prefix + event.mailboxId, message).catch(() => undefined);
      }
      return;
    }
    void this.#link.attempt(
      (redis) => redis.publish(this.#prefix + event.mailboxId, message),
      () => {
        if (!toFiles) this.#files.publish(event);
        return 0;
      },
    );
  }

  subscribe(mailboxId: string, callback: Callback): () => void {
    this.#link.useSubscriber();
    const own: Callback = (event) => callback(event);
    let callbacks = this.#subs.get(mailboxId);
    if (!callbacks) {
      callbacks = new Set();
      this.#subs.set(mailboxId, callbacks);
      this.#redisSubscribe([this.#prefix + mailboxId]);
      this.#reconcile();
      if (this.#watchingFiles) this.#watchFile(mailboxId);
    }
    callbacks.add(own);
    const subscribed = callbacks;
    return () => {
      subscribed.delete(own);
      if (subscribed.size > 0 || this.#subs.get(mailboxId) !== subscribed) return;
      this.#subs.delete(mailboxId);
      this.#fileSubs.get(mailboxId)?.();
      this.#fileSubs.delete(mailboxId);
      if (this.#link.subscriber.status === 'ready') {
        this.#link.subscriber.unsubscribe(this.#prefix + mailboxId).catch(() => undefined);
      }
    };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#overlapTimer);
    clearTimeout(this.#resyncTimer);
    this.#resyncDue.clear();
    this.#stopHealth();
    for (const stop of this.#fileSubs.values()) stop();
    this.#fileSubs.clear();
    this.#subs.clear();
    this.#files.close?.();
  }

  /** Files are needed while Redis is unusable and until the overlap after a (re)connect has passed. */
  #reconcile(): void {
    if (this.#closed) return;
    const needed = (!this.#link.health.usable() && !this.#link.unstarted) || Date.now() < this.#overlapUntil;
    if (needed === this.#watchingFiles) return;
    this.#watchingFiles = needed;
    if (!needed) {
      for (const stop of this.#fileSubs.values()) stop();
      this.#fileSubs.clear();
      return;
    }
    for (const mailboxId of this.#subs.keys()) {
      this.#watchFile(mailboxId);
      this.#resyncDue.add(mailboxId);
    }
    if (this.#resyncTimer === undefined) this.#resyncBatch();
  }

  /**
   * Lines written before this process noticed are behind the offset it starts reading at: each mailbox re-reads
   * instead. One batch now, the rest one batch per tick.
   */
  #resyncBatch(): void {
    this.#resyncTimer = undefined;
    let left: number = COORDINATION_LIMITS.resyncBatch;
    for (const mailboxId of this.#resyncDue) {
      if (left === 0) break;
      this.#resyncDue.delete(mailboxId);
      if (!this.#subs.has(mailboxId)) continue;
      left -= 1;
      this.#dispatch({ mailboxId, folder: '', kind: 'spool' });
      this.#dispatch({ mailboxId, folder: '', kind: 'folder' });
    }
    if (this.#resyncDue.size === 0 || this.#closed) return;
    this.#resyncTimer = setTimeout(() => this.#resyncBatch(), COORDINATION_LIMITS.resyncTickMs);
    this.#resyncTimer.unref();
  }

  #watchFile(mailboxId: string): void {
    if (this.#fileSubs.has(mailboxId)) return;
    this.#fileSubs.set(
      mailboxId,
      this.#files.subscribe(mailboxId, (event) => this.#dispatch(event)),
    );
  }

  /** Events also go through the files for recoveryOverlapMs from now; then the files are left alone again. */
  #openOverlap(): void {
    if (this.#closed) return;
    this.#overlapUntil = Date.now() + COORDINATION_LIMITS.recoveryOverlapMs;
    clearTimeout(this.#overlapTimer);
    this.#overlapTimer = setTimeout(() => this.#reconcile(), COORDINATION_LIMITS.recoveryOverlapMs + 10);
    this.#overlapTimer.unref();
  }

  #redisSubscribe(channels: string[]): void {
    if (channels.length === 0 || this.#link.subscriber.status !== 'ready') return;
    this.#link.subscriber.subscribe(...channels).catch((err: unknown) => this.#link.health.failed(err));
  }

  /** A reconnect (not the first connect) opens the overlap; either way every channel is subscribed again. */
  #onSubscriberReady(): void {
    if (this.#connectedBefore) this.#openOverlap();
    this.#connectedBefore = true;
    this.#reconcile();
    this.#redisSubscribe([...this.#subs.keys()].map((mailboxId) => this.#prefix + mailboxId));
  }

  #onMessage(channel: string, message: string): void {
    if (!channel.startsWith(this.#prefix)) return;
    let parsed: ChangeEvent & { src?: unknown };
    try {
      parsed = JSON.parse(message) as ChangeEvent & { src?: unknown };
    } catch {
      return;
    }
    if (parsed.src === this.#link.source) return;
    const { src: _src, ...event } = parsed;
    if (event.mailboxId !== channel.slice(this.#prefix.length)) return;
    this.#dispatch(event);
  }

  #dispatch(event: ChangeEvent): void {
    for (const callback of [...(this.#subs.get(event.mailboxId) ?? [])]) callback(event);
  }
}
