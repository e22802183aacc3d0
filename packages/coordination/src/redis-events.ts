/**
 * Mailbox change events over Redis pub/sub: one channel per mailbox (`<namespace>ev:<mailboxId>`), so a process
 * receives only the mailboxes it has subscribed to, on its dedicated subscriber connection.
 *
 * Rules:
 * - publish() hands the event to this process's subscribers at once and PUBLISHes it with this process's source
 *   id; a process ignores its own messages coming back.
 * - Every subscription is also a subscription to the file notifier (the embedded transport). While Redis is
 *   unusable, publish() writes the files instead, so the instances on this machine keep hearing each other.
 *   For COORDINATION_LIMITS.recoveryOverlapMs after this process's subscriber reconnects, events go both ways,
 *   so an instance whose own reconnect comes a little later does not miss them.
 * - An event may therefore arrive twice, or (published during the moment an instance loses Redis) not at all:
 *   events are hints, and receivers re-read the mail store (changesSince), so neither costs more than latency.
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
  #overlapUntil = 0;
  #connectedBefore = false;

  constructor(link: RedisLink, files: ChangeNotifier, prefix: string) {
    this.#link = link;
    this.#files = files;
    this.#prefix = `${prefix}ev:`;
    link.subscriber.on('message', (channel: string, message: string) => this.#onMessage(channel, message));
    link.subscriber.on('ready', () => this.#onSubscriberReady());
  }

  publish(event: ChangeEvent): void {
    if (!this.#link.health.usable()) {
      this.#files.publish(event);
      return;
    }
    const overlap = Date.now() < this.#overlapUntil;
    if (overlap) this.#files.publish(event);
    else this.#dispatch(event);
    const message = JSON.stringify({ ...event, src: this.#link.source });
    void this.#link.attempt(
      (redis) => redis.publish(this.#prefix + event.mailboxId, message),
      () => {
        if (!overlap) this.#files.publish(event);
        return 0;
      },
    );
  }

  subscribe(mailboxId: string, callback: Callback): () => void {
    const stopFiles = this.#files.subscribe(mailboxId, callback);
    const own: Callback = (event) => callback(event);
    let callbacks = this.#subs.get(mailboxId);
    if (!callbacks) {
      callbacks = new Set();
      this.#subs.set(mailboxId, callbacks);
      this.#redisSubscribe([this.#prefix + mailboxId]);
    }
    callbacks.add(own);
    const subscribed = callbacks;
    return () => {
      stopFiles();
      subscribed.delete(own);
      if (subscribed.size > 0 || this.#subs.get(mailboxId) !== subscribed) return;
      this.#subs.delete(mailboxId);
      if (this.#link.subscriber.status === 'ready') {
        this.#link.subscriber.unsubscribe(this.#prefix + mailboxId).catch(() => undefined);
      }
    };
  }

  close(): void {
    this.#subs.clear();
    this.#files.close?.();
  }

  #redisSubscribe(channels: string[]): void {
    if (channels.length === 0 || this.#link.subscriber.status !== 'ready') return;
    this.#link.subscriber.subscribe(...channels).catch((err: unknown) => this.#link.health.failed(err));
  }

  /** A reconnect (not the first connect) opens the overlap; either way every channel is subscribed again. */
  #onSubscriberReady(): void {
    if (this.#connectedBefore) this.#overlapUntil = Date.now() + COORDINATION_LIMITS.recoveryOverlapMs;
    this.#connectedBefore = true;
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
