/**
 * How slow a POP3 client may be (issue 12 item 5). Each bound ends the connection when crossed, so a client that
 * trickles bytes in or reads its replies a byte at a time cannot hold a connection, or the memory of its replies,
 * for as long as it likes:
 *
 * - A command line must arrive whole within limits.timeoutMs (180 s) of its first byte, and be at most
 *   POP3_LIMITS.maxLineBytes long (RFC 2449 §4 allows 255 octets for a command; an AUTH PLAIN continuation line of
 *   RFC 5034 §4 carries a base64 user name and password and may be longer).
 * - Replies: while more than POP3_LIMITS.outputHighWaterBytes bytes wait to be sent, no further command runs and no further
 *   input is read (so pipelined RETRs cannot pile messages up in memory, RFC 2449 §6.6 pipelining still works),
 *   and what waits must drain within limits.timeoutMs plus its size at limits.minTransferBytesPerSecond.
 * - Between commands: pop3.idleTimeoutMs (wildduck's socket inactivity timeout; RFC 1939 §3: at least 10 minutes).
 * - A TLS handshake (implicit-TLS port or STLS) must finish within limits.timeoutMs (wildduck-pop3.ts _upgrade).
 * - Per listener: pop3.maxConnections sessions (wildduck-pop3.ts refuses the one past it).
 */
import type { Socket } from 'node:net';
import { POP3_LIMITS } from './limits.js';

export interface PaceLimits {
  /** limits.timeoutMs: time for one command line to arrive, and the base allowance for a reply to drain. */
  commandTimeoutMs: number;
  /** limits.minTransferBytesPerSecond: the slowest a reply may be read once the base allowance is used. */
  minBytesPerSecond: number;
}

export type TooSlow = 'line' | 'reply';

export class Pace {
  readonly #limits: PaceLimits;
  readonly #socket: () => Socket;
  readonly #onTooSlow: (what: TooSlow) => void;
  #lineTimer: NodeJS.Timeout | null = null;
  #drainTimer: NodeJS.Timeout | null = null;

  /** `socket` is read at each use: STLS replaces the connection's socket. */
  constructor(limits: PaceLimits, socket: () => Socket, onTooSlow: (what: TooSlow) => void) {
    this.#limits = limits;
    this.#socket = socket;
    this.#onTooSlow = onTooSlow;
  }

  /** After input was split into lines: `completed` lines ended; `partial` bytes wait for their line break. */
  input(completed: number, partial: number): void {
    if (completed > 0) this.#stopLine();
    if (partial === 0 || this.#lineTimer) return;
    this.#lineTimer = setTimeout(() => {
      this.#lineTimer = null;
      this.#onTooSlow('line');
    }, this.#limits.commandTimeoutMs);
  }

  /**
   * True while replies wait to drain past POP3_LIMITS.outputHighWaterBytes: the caller stops and `resume` runs once they have
   * drained. The first call of a wait sets its deadline from the bytes waiting then.
   */
  mustWait(resume: () => void): boolean {
    const socket = this.#socket();
    if (this.#drainTimer) return true;
    if (socket.writableLength <= POP3_LIMITS.outputHighWaterBytes || socket.destroyed) return false;
    const ms = this.#limits.commandTimeoutMs + (socket.writableLength / this.#limits.minBytesPerSecond) * 1000;
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = null;
      this.#onTooSlow('reply');
    }, ms);
    socket.once('drain', () => {
      if (!this.#drainTimer) return;
      clearTimeout(this.#drainTimer);
      this.#drainTimer = null;
      resume();
    });
    return true;
  }

  stop(): void {
    this.#stopLine();
    if (this.#drainTimer) clearTimeout(this.#drainTimer);
    this.#drainTimer = null;
  }

  #stopLine(): void {
    if (this.#lineTimer) clearTimeout(this.#lineTimer);
    this.#lineTimer = null;
  }
}
