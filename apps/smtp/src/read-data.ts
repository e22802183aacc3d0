/**
 * Reading the DATA stream (RFC 5321 §4.1.1.4) within the in-flight byte budget and the size limit (RFC 1870).
 * The first spillThresholdBytes stay in memory (counted in the budget); past them the message goes to an
 * encrypted spill file, so memory per message stays bounded whatever its size. The line-ending scan and the
 * header block are taken on the way. Past the size limit or a full budget the rest of the message is drained
 * and discarded, never kept; the caller replies once the client has sent the final dot. The transfer's time and
 * rate are watched by the connection guard, which closes the session when the client is too slow.
 */
import { join } from 'node:path';
import { MessageTooLargeError } from '@mailyard/errors';
import type { ByteBudget, Reservation } from '@mailyard/limits';
import { findHeaderEnd } from '@mailyard/mail';
import type { SMTPServerDataStream } from 'smtp-server';
import type { DataWatch } from './connection-guard.js';
import { LineEndingScan } from './content-checks.js';
import { ReceivedMessage } from './received-message.js';
import { SpillWriter } from './spill-file.js';

export interface ReadOptions {
  budget: ByteBudget;
  maxBytes: number;
  /** data dir: spill files go to <dataDir>/tmp/smtp. */
  dataDir: string;
  spillThresholdBytes: number;
  spillChunkBytes: number;
  maxHeaderBytes: number;
  /** Told about every piece; stopped when the transfer ends. */
  watch?: DataWatch | undefined;
}

export interface ReceivedData {
  message: ReceivedMessage;
  /** Holds the in-memory part of the message in the budget until the caller is done with it. */
  reservation: Reservation;
}

/** The end of the blank line after the header block (RFC 5322 §2.1, found by @mailyard/mail); -1 until it arrived. */
function blankLineEnd(received: Buffer): number {
  const { headerEnd, bodyStart } = findHeaderEnd(received, 0, received.length);
  return bodyStart > headerEnd ? bodyStart : -1;
}

/** The header block: everything up to and with the first blank line, kept while it stays under the cap. */
class HeaderCollector {
  #pieces: Buffer[] = [];
  #bytes = 0;
  header: Buffer | null = null;
  tooLarge = false;

  constructor(readonly max: number) {}

  push(piece: Buffer): void {
    if (this.header || this.tooLarge) return;
    this.#pieces.push(piece);
    this.#bytes += piece.length;
    const joined = Buffer.concat(this.#pieces, this.#bytes);
    this.#pieces = [joined];
    const end = blankLineEnd(joined);
    if (end > 0 && end <= this.max) this.header = Buffer.from(joined.subarray(0, end));
    else if (end > 0 || this.#bytes > this.max) this.tooLarge = true;
    if (this.header || this.tooLarge) this.#pieces = [];
  }

  /** The header block; the whole message when it never had a blank line. */
  finish(): Buffer {
    if (!this.header && !this.tooLarge) this.header = Buffer.concat(this.#pieces, this.#bytes);
    this.#pieces = [];
    return this.header ?? Buffer.alloc(0);
  }
}

/** Receives one message; a failure (size, budget) is remembered and the rest drained. */
class Receiver {
  readonly #opts: ReadOptions;
  readonly reservation: Reservation;
  readonly #scan = new LineEndingScan();
  readonly #header: HeaderCollector;
  #memory: Buffer[] = [];
  #spill: SpillWriter | null = null;
  #size = 0;
  failure: unknown;

  constructor(opts: ReadOptions) {
    this.#opts = opts;
    this.reservation = opts.budget.reserve(0);
    this.#header = new HeaderCollector(opts.maxHeaderBytes);
  }

  async take(piece: Buffer): Promise<void> {
    this.#opts.watch?.progress(piece.length);
    if (this.failure) return;
    if (this.#size + piece.length > this.#opts.maxBytes) {
      return this.fail(new MessageTooLargeError(`Message exceeds the size limit of ${this.#opts.maxBytes} bytes`));
    }
    this.#size += piece.length;
    this.#scan.scan(piece);
    this.#header.push(piece);
    if (this.#spill) return this.#spill.write(piece);
    try {
      this.reservation.grow(piece.length);
    } catch (err) {
      return this.fail(err);
    }
    this.#memory.push(piece);
    if (this.reservation.bytes > this.#opts.spillThresholdBytes) await this.#startSpill();
  }

  async #startSpill(): Promise<void> {
    const dir = join(this.#opts.dataDir, 'tmp', 'smtp');
    this.#spill = await SpillWriter.create(dir, this.#opts.spillChunkBytes);
    const held = this.#memory;
    this.#memory = [];
    for (const piece of held) await this.#spill.write(piece);
  }

  async fail(err: unknown): Promise<void> {
    this.failure ??= err;
    this.#memory = [];
    this.reservation.release();
    await this.#spill?.abort();
    this.#spill = null;
  }

  async finish(): Promise<ReceivedMessage> {
    const file = this.#spill ? await this.#spill.finish() : null;
    const memory = file ? null : Buffer.concat(this.#memory, this.#size);
    this.#memory = [];
    return new ReceivedMessage({
      size: this.#size,
      header: this.#header.finish(),
      headerTooLarge: this.#header.tooLarge,
      findings: this.#scan.finish(),
      memory,
      file,
    });
  }
}

/** Resolves with the whole message, or rejects (size, budget, disconnect) with nothing kept. */
export async function readMessage(stream: SMTPServerDataStream, opts: ReadOptions): Promise<ReceivedData> {
  const receiver = new Receiver(opts);
  try {
    for await (const piece of stream as AsyncIterable<Buffer>) await receiver.take(piece);
  } catch (err) {
    await receiver.fail(err);
  } finally {
    opts.watch?.end();
  }
  if (receiver.failure) throw receiver.failure;
  return { message: await receiver.finish(), reservation: receiver.reservation };
}

/** A whole message already in memory (one built or uploaded over HTTP) as DATA would have delivered it. */
export function messageOfBuffer(raw: Buffer, maxHeaderBytes: number): ReceivedMessage {
  const header = new HeaderCollector(maxHeaderBytes);
  header.push(raw);
  const scan = new LineEndingScan();
  scan.scan(raw);
  return new ReceivedMessage({
    size: raw.length,
    header: header.finish(),
    headerTooLarge: header.tooLarge,
    findings: scan.finish(),
    memory: raw,
    file: null,
  });
}
