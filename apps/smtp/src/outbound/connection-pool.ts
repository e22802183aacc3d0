/**
 * SMTP sessions to remote hosts kept open between transactions: after a transaction ends, the client may start
 * the next one with MAIL on the same session (RFC 5321 §3.3), which saves the connect, greeting, EHLO and TLS
 * handshake per message. Sessions are keyed by everything that shaped them (address, port, TLS server name and
 * whether TLS was required), at most `maxPerHost` are open per key (RFC 5321 §4.5.4.1 asks senders not to flood
 * one host), an idle session is closed after `idleMs`, and a session carries at most `maxMessages` messages.
 */
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

export interface ConnectionPoolOptions {
  maxPerHost: number;
  idleMs: number;
  maxMessages: number;
}

export interface PooledConnection {
  readonly key: string;
  readonly connection: SMTPConnection;
  /** Messages sent on this session before the current one: > 0 means the session was reused. */
  readonly sent: number;
}

interface Entry {
  connection: SMTPConnection;
  sent: number;
  timer?: NodeJS.Timeout;
  ended: boolean;
}

export class SmtpConnectionPool {
  readonly #options: ConnectionPoolOptions;
  readonly #idle = new Map<string, Entry[]>();
  readonly #open = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();
  readonly #entries = new WeakMap<SMTPConnection, Entry>();

  constructor(options: ConnectionPoolOptions) {
    this.#options = options;
  }

  /** An idle session for `key`, or a new one from `open` once fewer than maxPerHost are open. */
  async acquire(key: string, open: () => Promise<SMTPConnection>): Promise<PooledConnection> {
    for (;;) {
      const idle = this.#takeIdle(key);
      if (idle) return { key, connection: idle.connection, sent: idle.sent };
      if ((this.#open.get(key) ?? 0) < this.#options.maxPerHost) break;
      await new Promise<void>((resolve) => this.#waiting.set(key, [...(this.#waiting.get(key) ?? []), resolve]));
    }
    this.#count(key, 1);
    try {
      const connection = await open();
      const entry: Entry = { connection, sent: 0, ended: false };
      this.#entries.set(connection, entry);
      connection.once('end', () => this.#ended(key, entry));
      return { key, connection, sent: 0 };
    } catch (err) {
      this.#count(key, -1);
      this.#wakeOne(key);
      throw err;
    }
  }

  /** Returns a session after a transaction: kept idle when `reusable`, closed otherwise. */
  release(pooled: PooledConnection, reusable: boolean): void {
    const entry = this.#entries.get(pooled.connection);
    if (!entry || entry.ended) return;
    entry.sent += 1;
    if (!reusable || entry.sent >= this.#options.maxMessages) {
      this.#close(pooled.key, entry);
      return;
    }
    entry.timer = setTimeout(() => this.#close(pooled.key, entry), this.#options.idleMs);
    entry.timer.unref();
    this.#idle.set(pooled.key, [...(this.#idle.get(pooled.key) ?? []), entry]);
    this.#wakeOne(pooled.key);
  }

  /** Closes every idle session; sessions in use close when released. */
  closeIdle(): void {
    for (const [key, entries] of this.#idle) for (const entry of [...entries]) this.#close(key, entry);
  }

  #takeIdle(key: string): Entry | undefined {
    const entries = this.#idle.get(key);
    const entry = entries?.pop();
    if (entries?.length === 0) this.#idle.delete(key);
    if (entry) clearTimeout(entry.timer);
    return entry;
  }

  #close(key: string, entry: Entry): void {
    if (entry.ended) return;
    entry.connection.quit();
    entry.connection.close();
    this.#ended(key, entry);
  }

  /** The session is gone (closed by us or by the remote): forget it and let a waiter open another. */
  #ended(key: string, entry: Entry): void {
    if (entry.ended) return;
    entry.ended = true;
    clearTimeout(entry.timer);
    const idle = this.#idle.get(key)?.filter((e) => e !== entry) ?? [];
    if (idle.length > 0) this.#idle.set(key, idle);
    else this.#idle.delete(key);
    this.#count(key, -1);
    this.#wakeOne(key);
  }

  #count(key: string, delta: number): void {
    const next = (this.#open.get(key) ?? 0) + delta;
    if (next > 0) this.#open.set(key, next);
    else this.#open.delete(key);
  }

  #wakeOne(key: string): void {
    const waiters = this.#waiting.get(key);
    const next = waiters?.shift();
    if (waiters?.length === 0) this.#waiting.delete(key);
    next?.();
  }
}
