/**
 * Sealed temporary files: a stream of plaintext (an export being written) stored as AES-256-GCM chunks under a key
 * that exists only in the memory of the process that wrote it, and read back by byte range. The REST API keeps
 * finished exports for a few minutes so an interrupted download can resume (a Range request); sealed, those files
 * never hold a message in plaintext on disk, and once their process ends (restart, crash) nobody can read them.
 *
 * Layout: plaintext is cut into SEALED_CHUNK_BYTES chunks; chunk i is stored at i × (SEALED_CHUNK_BYTES + 16) as its
 * ciphertext followed by its 16-byte tag, under the nonce 0x00000000 ‖ i (64-bit big-endian). A key seals exactly one
 * file (a fresh random key per file), so no nonce is ever used twice under one key. The plaintext size is kept
 * with the key, not in the file; a file shorter than that size, or a chunk altered, fails to read (the tag).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const SEALED_CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';

/** What reads a sealed file back: its key and plaintext size, held in memory only. */
export interface SealedFile {
  path: string;
  key: Buffer;
  size: number;
}

function nonceOf(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

/** Cuts the plaintext into chunks and seals each. */
class ChunkSealer extends Transform {
  readonly #key: Buffer;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #index = 0;
  size = 0;

  constructor(key: Buffer) {
    super();
    this.#key = key;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= SEALED_CHUNK_BYTES) {
      let all = Buffer.concat(this.#pending, this.#pendingBytes);
      while (all.length >= SEALED_CHUNK_BYTES) {
        this.push(this.#seal(all.subarray(0, SEALED_CHUNK_BYTES)));
        all = all.subarray(SEALED_CHUNK_BYTES);
      }
      this.#pending = all.length > 0 ? [Buffer.from(all)] : [];
      this.#pendingBytes = all.length;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#pendingBytes > 0) this.push(this.#seal(Buffer.concat(this.#pending, this.#pendingBytes)));
    this.#pending = [];
    callback();
  }

  #seal(plain: Buffer): Buffer {
    const cipher = createCipheriv(CIPHER, this.#key, nonceOf(this.#index));
    this.#index += 1;
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
}

/**
 * A sealed file at `path` (created, mode 0600): write the plaintext into `input` and end it; `done` resolves with
 * the file's key and plaintext size once everything is on disk, or rejects with the write's error.
 */
export function createSealedFile(path: string): { input: Writable; done: Promise<SealedFile> } {
  const key = randomBytes(32);
  const sealer = new ChunkSealer(key);
  const done = pipeline(sealer, createWriteStream(path, { mode: 0o600 })).then(() => ({
    path,
    key,
    size: sealer.size,
  }));
  return { input: sealer, done };
}

async function* readChunks(file: SealedFile, start: number, end: number): AsyncGenerator<Buffer> {
  if (end < start) return;
  const first = Math.floor(start / SEALED_CHUNK_BYTES);
  const last = Math.floor(end / SEALED_CHUNK_BYTES);
  const handle = await open(file.path, 'r');
  try {
    for (let index = first; index <= last; index++) {
      const plainBytes = Math.min(SEALED_CHUNK_BYTES, file.size - index * SEALED_CHUNK_BYTES);
      const sealed = Buffer.alloc(plainBytes + TAG_BYTES);
      const { bytesRead } = await handle.read(sealed, 0, sealed.length, index * (SEALED_CHUNK_BYTES + TAG_BYTES));
      if (bytesRead !== sealed.length)
        throw new Error(`sealed file ${file.path} is shorter than its ${file.size} bytes`);
      const decipher = createDecipheriv(CIPHER, file.key, nonceOf(index));
      decipher.setAuthTag(sealed.subarray(plainBytes));
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, plainBytes)), decipher.final()]);
      const from = index === first ? start - index * SEALED_CHUNK_BYTES : 0;
      const to = index === last ? end - index * SEALED_CHUNK_BYTES + 1 : plainBytes;
      yield plain.subarray(from, to);
    }
  } finally {
    await handle.close();
  }
}

/** Plaintext bytes start..end (inclusive) of a sealed file; the whole file without a range. */
export function readSealedFile(file: SealedFile, range?: { start: number; end: number }): Readable {
  return Readable.from(readChunks(file, range?.start ?? 0, range?.end ?? file.size - 1), { objectMode: false });
}
