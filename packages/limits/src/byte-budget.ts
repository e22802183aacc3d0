/**
 * The in-flight byte budget: one counter per process of message bytes held in memory or on their way to disk.
 * Every reservation is released exactly once (release is idempotent and `using` disposes it), so the counter
 * returns to zero when the work is done and never goes negative.
 */
import { MessageTooLargeError, ServerError, TryAgainLaterError } from '@mailyard/errors';
import { DEFAULTS } from './defaults.js';

/** How a reservation reaches back into its budget. */
export interface Ledger {
  /** `after` is the reservation's size once the take succeeds. */
  take(bytes: number, after: number): void;
  give(bytes: number): void;
}

export class ByteBudget {
  readonly total: number;
  #inUse = 0;

  constructor(totalBytes: number = DEFAULTS.inflightBytes) {
    assertByteCount(totalBytes, 'totalBytes');
    this.total = totalBytes;
  }

  get inUse(): number {
    return this.#inUse;
  }

  get available(): number {
    return this.total - this.#inUse;
  }

  /**
   * Reserves `bytes` now. Throws TryAgainLaterError when the budget is full (temporary) and MessageTooLargeError
   * when the request is larger than the whole budget (it could never succeed).
   */
  reserve(bytes: number): Reservation {
    const ledger: Ledger = { take: (n, after) => this.#take(n, after), give: (n) => this.#give(n) };
    ledger.take(bytes, bytes);
    return new Reservation(ledger, bytes);
  }

  #take(bytes: number, after: number): void {
    assertByteCount(bytes, 'bytes');
    if (after > this.total) {
      throw new MessageTooLargeError('Message larger than the server can hold in flight', {
        details: { requested: after, total: this.total },
      });
    }
    if (this.#inUse + bytes > this.total) {
      throw new TryAgainLaterError('Server busy: too much mail in flight, try again later', {
        details: { requested: bytes, inUse: this.#inUse, total: this.total },
      });
    }
    this.#inUse += bytes;
  }

  #give(bytes: number): void {
    this.#inUse -= bytes;
  }
}

export class Reservation implements Disposable {
  #ledger: Ledger;
  #bytes: number;
  #released = false;

  /** Made by ByteBudget.reserve. */
  constructor(ledger: Ledger, bytes: number) {
    this.#ledger = ledger;
    this.#bytes = bytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get released(): boolean {
    return this.#released;
  }

  /** Adds `bytes` to this reservation; throws like ByteBudget.reserve and leaves the reservation unchanged. */
  grow(bytes: number): void {
    if (this.#released) throw new ServerError('Reservation grown after release', { details: { bytes } });
    this.#ledger.take(bytes, this.#bytes + bytes);
    this.#bytes += bytes;
  }

  /** Returns the bytes to the budget. Safe to call any number of times. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#ledger.give(this.#bytes);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

function assertByteCount(bytes: number, name: string): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${bytes}`);
  }
}
