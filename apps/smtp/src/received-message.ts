/**
 * A message as DATA delivered it: in memory when small, otherwise in an encrypted spill file (spill-file.ts) with
 * only its header block in memory. Whoever stores or forwards it reads it through `withHead()`: our added
 * headers and the (possibly cleaned) header block, then the original bytes after the header, exactly.
 * Dispose it when done: that removes the spill file.
 */
import type { ContentFindings } from './content-checks.js';
import type { SpillFile } from './spill-file.js';

/** A message ready to store or send: its exact size and its bytes, in pieces, as often as needed. */
export interface MessageBody {
  readonly size: number;
  /** The whole message, when it is small enough to be held in memory already. */
  readonly inMemory: Buffer | null;
  open(): AsyncIterable<Buffer>;
  /** The whole message in one Buffer; callers reserve its size in the byte budget first unless inMemory. */
  toBuffer(): Promise<Buffer>;
}

export interface ReceivedParts {
  size: number;
  /** The header block with its blank line (or the whole message when there is none), at most maxHeaderBytes. */
  header: Buffer;
  headerTooLarge: boolean;
  findings: ContentFindings;
  memory: Buffer | null;
  file: SpillFile | null;
}

async function* concatenated(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  yield* rest;
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  if (bytes.length > 0) yield bytes;
}

/** Reads `pieces` into one Buffer of `size` bytes, copying each piece in as it comes (no second copy). */
async function collect(pieces: AsyncIterable<Buffer>, size: number): Promise<Buffer> {
  const whole = Buffer.allocUnsafe(size);
  let at = 0;
  for await (const piece of pieces) {
    if (at + piece.length > size) throw new Error('message longer than its recorded size');
    at += piece.copy(whole, at);
  }
  if (at !== size) throw new Error('message shorter than its recorded size');
  return whole;
}

/** Pieces a whole message is read in when it is streamed from memory: slices, never copies. */
const SLICE_BYTES = 64 * 1024;

async function* slices(raw: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < raw.length; at += SLICE_BYTES) yield raw.subarray(at, at + SLICE_BYTES);
}

/** A message already whole in memory (a bounce, a queued copy) as a MessageBody. */
export function bodyOf(raw: Buffer): MessageBody {
  return { size: raw.length, inMemory: raw, open: () => slices(raw), toBuffer: async () => raw };
}

export class ReceivedMessage {
  readonly size: number;
  readonly header: Buffer;
  readonly headerTooLarge: boolean;
  readonly findings: ContentFindings;
  readonly #memory: Buffer | null;
  readonly #file: SpillFile | null;

  constructor(parts: ReceivedParts) {
    this.size = parts.size;
    this.header = parts.header;
    this.headerTooLarge = parts.headerTooLarge;
    this.findings = parts.findings;
    this.#memory = parts.memory;
    this.#file = parts.file;
  }

  /** True when the message spilled to disk (it is larger than the memory threshold). */
  get spilled(): boolean {
    return this.#file !== null;
  }

  /** The bytes from `start` on, exactly as received. */
  read(start = 0): AsyncIterable<Buffer> {
    if (this.#file) return this.#file.read(start);
    return once((this.#memory ?? Buffer.alloc(0)).subarray(start));
  }

  /** The message as received. */
  asReceived(): MessageBody {
    return this.withHead(this.header);
  }

  /** The message with its header block replaced by `head` (added headers plus the kept header fields). */
  withHead(head: Buffer): MessageBody {
    const restStart = this.header.length;
    const size = head.length + this.size - restStart;
    const memory = this.#memory;
    const inMemory = memory
      ? head === this.header
        ? memory
        : Buffer.concat([head, memory.subarray(restStart)])
      : null;
    return {
      size,
      inMemory,
      open: () => (inMemory ? once(inMemory) : concatenated(head, this.read(restStart))),
      toBuffer: async () => inMemory ?? collect(concatenated(head, this.read(restStart)), size),
    };
  }

  async dispose(): Promise<void> {
    await this.#file?.remove();
  }
}
