/**
 * Metering a byte stream (SMTP DATA, IMAP APPEND literal, an API upload) through the byte budget: the reservation
 * grows as chunks pass, and is released when the stream ends, fails or is destroyed.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { MessageTooLargeError } from '@mailyard/errors';
import type { ByteBudget, Reservation } from './byte-budget.js';

export class MeteredStream extends Transform {
  readonly maxBytes: number;
  readonly #reservation: Reservation;

  constructor(budget: ByteBudget, maxBytes: number) {
    super();
    this.maxBytes = maxBytes;
    this.#reservation = budget.reserve(0);
    this.once('end', () => this.#reservation.release());
  }

  /** Bytes that have passed through so far (and are held in the budget until the stream ends). */
  get bytes(): number {
    return this.#reservation.bytes;
  }

  /** Fails on the chunk that would pass `maxBytes`, before it is counted or passed on. */
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#reservation.bytes + chunk.length > this.maxBytes) {
      callback(new MessageTooLargeError(`Message exceeds the size limit of ${this.maxBytes} bytes`));
      return;
    }
    try {
      this.#reservation.grow(chunk.length);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback(null, chunk);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#reservation.release();
    callback(err);
  }
}

/**
 * A Transform that counts bytes against `budget`, failing with MessageTooLargeError past `maxBytes` and with
 * TryAgainLaterError when the budget is full. Throws TryAgainLaterError at once if nothing can be reserved.
 */
export function meterStream(budget: ByteBudget, maxBytes: number): MeteredStream {
  return new MeteredStream(budget, maxBytes);
}
