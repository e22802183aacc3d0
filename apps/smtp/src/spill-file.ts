/**
 * The encrypted temporary file a large message spills to while it is received (data/tmp/smtp), so memory per
 * message stays bounded. Never plaintext at rest: each message gets a random 256-bit key that lives only in this
 * process's memory, and its bytes are sealed with ChaCha20-Poly1305 (RFC 8439) in chunks of a fixed size, each
 * with its own tag and a nonce made of the chunk number and a last-chunk flag, so a cut, reordered or altered
 * file fails to read instead of yielding other bytes. The file is deleted once the message is handled; one left
 * by a crash is ciphertext whose key is gone, and the hourly cleanup-tmp job removes it after a day.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';

type FileHandle = Awaited<ReturnType<typeof open>>;

const TAG_BYTES = 16;
const KEY_BYTES = 32;

function nonce(index: number, last: boolean): Buffer {
  const value = Buffer.alloc(12);
  value.writeUInt32BE(last ? 1 : 0, 0);
  value.writeBigUInt64BE(BigInt(index), 4);
  return value;
}

function seal(key: Buffer, index: number, last: boolean, plain: Buffer): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce(index, last), { authTagLength: TAG_BYTES });
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function unseal(key: Buffer, index: number, last: boolean, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce(index, last), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
}

/** A finished spill file: read it back (decrypted, from any offset) as often as needed, then remove it. */
export class SpillFile {
  readonly size: number;
  readonly #path: string;
  readonly #key: Buffer;
  readonly #chunkBytes: number;

  constructor(path: string, key: Buffer, chunkBytes: number, size: number) {
    this.#path = path;
    this.#key = key;
    this.#chunkBytes = chunkBytes;
    this.size = size;
  }

  /** The plaintext from byte `start` to the end, one chunk at a time; throws if the file was altered. */
  async *read(start = 0): AsyncGenerator<Buffer> {
    const chunks = Math.ceil(this.size / this.#chunkBytes);
    const fh = await open(this.#path, 'r');
    try {
      for (let index = Math.floor(start / this.#chunkBytes); index < chunks; index++) {
        const plainBytes = Math.min(this.#chunkBytes, this.size - index * this.#chunkBytes);
        const sealed = Buffer.alloc(plainBytes + TAG_BYTES);
        const { bytesRead } = await fh.read(sealed, 0, sealed.length, index * (this.#chunkBytes + TAG_BYTES));
        if (bytesRead !== sealed.length) throw new Error('spill file is shorter than written');
        const plain = unseal(this.#key, index, index === chunks - 1, sealed);
        const skip = index * this.#chunkBytes < start ? start - index * this.#chunkBytes : 0;
        yield skip > 0 ? plain.subarray(skip) : plain;
      }
    } finally {
      await fh.close();
    }
  }

  async remove(): Promise<void> {
    this.#key.fill(0);
    await unlink(this.#path).catch(() => undefined);
  }
}

/** Writes a spill file: bytes in any pieces, sealed and written a full chunk at a time. */
export class SpillWriter {
  readonly #fh: FileHandle;
  readonly #path: string;
  readonly #key = randomBytes(KEY_BYTES);
  readonly #chunkBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #index = 0;
  #size = 0;

  private constructor(fh: FileHandle, path: string, chunkBytes: number) {
    this.#fh = fh;
    this.#path = path;
    this.#chunkBytes = chunkBytes;
  }

  /** A new spill file in `dir` (created 0700 when missing), readable by this process only (0600). */
  static async create(dir: string, chunkBytes: number): Promise<SpillWriter> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${process.pid}-${randomBytes(12).toString('hex')}.spill`);
    return new SpillWriter(await open(path, 'wx', 0o600), path, chunkBytes);
  }

  async write(piece: Buffer): Promise<void> {
    this.#pending.push(piece);
    this.#pendingBytes += piece.length;
    this.#size += piece.length;
    // A chunk is sealed only once a byte after it is known, so the last chunk is always the one flagged last.
    while (this.#pendingBytes > this.#chunkBytes) {
      const joined = Buffer.concat(this.#pending, this.#pendingBytes);
      await this.#seal(joined.subarray(0, this.#chunkBytes), false);
      this.#pending = [joined.subarray(this.#chunkBytes)];
      this.#pendingBytes -= this.#chunkBytes;
    }
  }

  /** Seals the last chunk and closes the file. */
  async finish(): Promise<SpillFile> {
    try {
      await this.#seal(Buffer.concat(this.#pending, this.#pendingBytes), true);
    } finally {
      this.#pending = [];
      await this.#fh.close();
    }
    return new SpillFile(this.#path, this.#key, this.#chunkBytes, this.#size);
  }

  /** Closes and removes the file (a refused or broken transfer keeps nothing). */
  async abort(): Promise<void> {
    this.#pending = [];
    this.#key.fill(0);
    await this.#fh.close().catch(() => undefined);
    await unlink(this.#path).catch(() => undefined);
  }

  async #seal(plain: Buffer, last: boolean): Promise<void> {
    await this.#fh.write(seal(this.#key, this.#index, last, plain));
    this.#index += 1;
  }
}
