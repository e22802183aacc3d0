/**
 * Reading the DATA stream (RFC 5321 §4.1.1.4) into memory within the in-flight byte budget and the size limit
 * (RFC 1870). Past either limit the rest of the message is drained and discarded, never buffered; the caller
 * replies once the client has sent the final dot.
 */
import { MessageTooLargeError } from '@mailyard/errors';
import { type ByteBudget, type Reservation, withTimeout } from '@mailyard/limits';
import type { SMTPServerDataStream } from 'smtp-server';

export interface ReadOptions {
  budget: ByteBudget;
  maxBytes: number;
  timeoutMs: number;
}

export interface ReceivedMessage {
  raw: Buffer;
  /** Holds the message's bytes in the budget until the caller is done with it. */
  reservation: Reservation;
}

function collect(stream: SMTPServerDataStream, opts: ReadOptions): Promise<ReceivedMessage> {
  const reservation = opts.budget.reserve(0);
  const chunks: Buffer[] = [];
  let failure: unknown;
  return new Promise<ReceivedMessage>((resolve, reject) => {
    const fail = (err: unknown) => {
      failure ??= err;
      chunks.length = 0;
      reservation.release();
    };
    stream.on('data', (chunk: Buffer) => {
      if (failure) return;
      if (reservation.bytes + chunk.length > opts.maxBytes) {
        fail(new MessageTooLargeError(`Message exceeds the size limit of ${opts.maxBytes} bytes`));
        return;
      }
      try {
        reservation.grow(chunk.length);
        chunks.push(chunk);
      } catch (err) {
        fail(err);
      }
    });
    stream.once('error', (err) => {
      fail(err);
      reject(err);
    });
    stream.once('end', () => {
      if (failure) reject(failure);
      else resolve({ raw: Buffer.concat(chunks, reservation.bytes), reservation });
    });
  });
}

/** Resolves with the whole message, or rejects (size, budget, timeout, disconnect) with nothing kept. */
export async function readMessage(stream: SMTPServerDataStream, opts: ReadOptions): Promise<ReceivedMessage> {
  const reading = collect(stream, opts);
  try {
    return await withTimeout(reading, opts.timeoutMs, 'DATA');
  } catch (err) {
    reading.then((m) => m.reservation.release()).catch(() => undefined);
    throw err;
  }
}
