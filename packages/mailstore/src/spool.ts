/**
 * Sealed inbound spool: delivery needs only the mailbox's X25519 public key.
 *
 * Sealing (per record): ephemeral X25519 key pair, shared secret with the mailbox public key,
 * HKDF-SHA256(secret, salt = ephemeral public || mailbox public) -> ChaCha20-Poly1305 key, used once
 * (so a zero nonce is safe). Record = ephemeral public (32) || ciphertext || tag (16).
 * Plaintext = u16 meta length || meta JSON { id, internalDate, folder?, create?, flags? } || raw message.
 * The meta fields after id and internalDate are optional, so records written before a field existed read as
 * before: no folder means INBOX, no create means "fall back to INBOX when the folder is missing", no flags none.
 *
 * Layout: spool/<ab>/<id>/<time>-<pid>-<sequence><rand>.sealed (batchName: sorted, they are in delivery order),
 * each file a batch of u32-length-prefixed records.
 * Why one file per batch rather than one shared append-only file: a batch file is written under a dot-prefixed
 * temporary name, fsynced, renamed into place and the directory fsynced, so a reader sees a file whole or not
 * at all; writers in different processes never share a file (no interleaving, no locks), a kill -9 leaves at
 * most a stray temporary file that drain ignores and later removes, and drain removes a file only after every
 * record in it has committed (a record id kept in the mailbox database makes re-ingest after a crash a no-op).
 * A shared append file would need locking across processes and a way to cut ingested records off its head.
 * Group commit: concurrent deliveries to one mailbox in one process share one batch file and one fsync pair;
 * deliveries to different mailboxes fsync in parallel, and ext4's journal merges those commits.
 * Large messages (writeSealedStream) are sealed from a stream into a batch file of their own, chunk by chunk, in
 * the same record format: memory stays at one chunk whatever the message size. A failed write removes its
 * temporary file at once.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { closeSync, fdatasync, fsync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { type FileHandle, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDir, fsyncDir } from './paths.js';
import type { DeliverMeta, DeliverSource } from './types.js';

export interface SpoolMeta {
  id: string;
  internalDate: number;
  /** Target folder (DeliverMeta.folder); absent: INBOX. */
  folder?: string;
  /** Create the folder at drain time when missing (DeliverMeta.createFolder); absent: false. */
  create?: boolean;
  flags?: string[];
}

export interface SpoolRecord {
  meta: SpoolMeta;
  raw: Buffer;
}

const NONCE = Buffer.alloc(12);
const STALE_TMP_MS = 60 * 60 * 1000;
/** A batch file holds at most this much (one record may exceed it alone), bounding memory of a group commit. */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;
/**
 * A batch up to this size is written with synchronous open, write, close and rename on the event loop (each a few
 * microseconds on a file in the page cache) and only its two syncs go to libuv's pool: two round trips through the
 * pool instead of nine (open, write, datasync, close, rename, open dir, fsync, close dir), each of which woke the
 * event loop and a pool thread. Larger batches keep asynchronous writes, so the loop is never blocked long.
 */
const SYNC_WRITE_BYTES = 1024 * 1024;
const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);

export function publicKeyObject(publicKeyB64: string): KeyObject {
  const x = Buffer.from(publicKeyB64, 'base64').toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
}

export function privateKeyObject(privateRaw: Buffer, publicKeyB64: string): KeyObject {
  const x = Buffer.from(publicKeyB64, 'base64').toString('base64url');
  const d = privateRaw.toString('base64url');
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', x, d }, format: 'jwk' });
}

function recordKey(secret: Buffer, ephemeralPublic: Buffer, recipientPublic: Buffer): Buffer {
  const salt = Buffer.concat([ephemeralPublic, recipientPublic]);
  return Buffer.from(hkdfSync('sha256', secret, salt, 'mailyard spool v1', 32));
}

function rawPublic(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
}

/** The spool metadata of a new delivery: a fresh record id, the internal date (default now), folder and flags. */
export function spoolMeta(meta: DeliverMeta): SpoolMeta {
  return {
    id: randomBytes(16).toString('hex'),
    internalDate: (meta.internalDate ?? new Date()).getTime(),
    ...(meta.folder ? { folder: meta.folder } : {}),
    ...(meta.folder && meta.createFolder ? { create: true } : {}),
    ...(meta.flags?.length ? { flags: meta.flags } : {}),
  };
}

/** One record being sealed: its first bytes (ephemeral public key, sealed meta), then the raw message in pieces. */
interface RecordSealer {
  /** Ephemeral public key and the sealed meta header: the record's first bytes. */
  head: Buffer;
  /** Seals the next piece of the raw message. */
  update(piece: Buffer): Buffer;
  /** The last cipher bytes and the tag: the record's end. */
  final(): Buffer;
  /** Record length (without its u32 frame) for a raw message of `rawLength` bytes. */
  length(rawLength: number): number;
}

function startRecord(recipient: KeyObject, spool: SpoolMeta): RecordSealer {
  const eph = generateKeyPairSync('x25519');
  const ephPublic = rawPublic(eph.publicKey);
  const secret = diffieHellman({ privateKey: eph.privateKey, publicKey: recipient });
  const cipher = createCipheriv('chacha20-poly1305', recordKey(secret, ephPublic, rawPublic(recipient)), NONCE, {
    authTagLength: 16,
  });
  const meta = Buffer.from(JSON.stringify(spool));
  const lengthField = Buffer.alloc(2);
  lengthField.writeUInt16BE(meta.length);
  return {
    head: Buffer.concat([ephPublic, cipher.update(lengthField), cipher.update(meta)]),
    update: (piece) => cipher.update(piece),
    final: () => Buffer.concat([cipher.final(), cipher.getAuthTag()]),
    length: (rawLength) => ephPublic.length + 2 + meta.length + rawLength + 16,
  };
}

export function sealRecord(recipient: KeyObject, record: SpoolRecord): Buffer {
  const sealer = startRecord(recipient, record.meta);
  return Buffer.concat([sealer.head, sealer.update(record.raw), sealer.final()]);
}

/** Returns null when the record does not authenticate under this mailbox's key. */
export function openRecord(privateKey: KeyObject, recipientPublic: Buffer, sealed: Buffer): SpoolRecord | null {
  if (sealed.length < 32 + 2 + 16) return null;
  const ephPublic = sealed.subarray(0, 32);
  const secret = diffieHellman({ privateKey, publicKey: publicKeyObject(ephPublic.toString('base64')) });
  const decipher = createDecipheriv('chacha20-poly1305', recordKey(secret, ephPublic, recipientPublic), NONCE, {
    authTagLength: 16,
  });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(sealed.subarray(32, sealed.length - 16)), decipher.final()]);
  } catch {
    return null;
  }
  const metaLength = plain.readUInt16BE(0);
  const meta = JSON.parse(plain.subarray(2, 2 + metaLength).toString('utf8')) as SpoolMeta;
  return { meta, raw: plain.subarray(2 + metaLength) };
}

export function frameRecords(records: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const record of records) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(record.length);
    parts.push(len, record);
  }
  return Buffer.concat(parts);
}

/** Split a batch file into sealed records; a truncated tail (never renamed into place, so never seen) ends it. */
export function unframeRecords(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= file.length) {
    const len = file.readUInt32BE(offset);
    if (offset + 4 + len > file.length) break;
    records.push(file.subarray(offset + 4, offset + 4 + len));
    offset += 4 + len;
  }
  return records;
}

/**
 * Writes a new batch file through `write` under a temporary name, fsyncs it, renames it into place and fsyncs the
 * directory. When anything fails the temporary file is removed at once (a full disk must not keep the space).
 */
async function writeBatchFile(spoolDir: string, write: (fh: FileHandle) => Promise<void>): Promise<string> {
  ensureDir(spoolDir);
  const name = batchName();
  const tmp = join(spoolDir, `.${name}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    try {
      await write(fh);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(spoolDir, `${name}.sealed`));
  } catch (err) {
    // A failed write (a full disk) leaves nothing behind: the partial file would hold the space it took.
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(spoolDir);
  return `${name}.sealed`;
}

/** The last batch name's time and sequence number in this process (see batchName). */
let lastBatchTime = 0;
let batchSequence = 0;

/**
 * `<time>-<pid>-<sequence><random>`: names sort in delivery order (drain takes them sorted). Two batches of one
 * process within the same millisecond (a sequential delivery takes about 1 ms) are ordered by the sequence number,
 * and the time never goes back within a process (a clock stepped back keeps the last time), so a message this
 * process acknowledged first gets the lower UID. Batches of different processes in the same millisecond were
 * concurrent: either order is right.
 */
export function batchName(): string {
  lastBatchTime = Math.max(Date.now(), lastBatchTime);
  batchSequence += 1;
  const time = lastBatchTime.toString(36).padStart(10, '0');
  const sequence = batchSequence.toString(36).padStart(8, '0');
  return `${time}-${process.pid}-${sequence}${randomBytes(4).toString('hex')}`;
}

/** writeBatchFile for a small batch whole in memory: the same steps, with only the syncs off the event loop. */
async function writeSmallBatchFile(spoolDir: string, data: Buffer): Promise<string> {
  ensureDir(spoolDir);
  const name = batchName();
  const tmp = join(spoolDir, `.${name}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
      await fdatasyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(spoolDir, `${name}.sealed`));
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // Not created, or already gone.
    }
    throw err;
  }
  const dir = openSync(spoolDir, 'r');
  try {
    await fsyncAsync(dir);
  } finally {
    closeSync(dir);
  }
  return `${name}.sealed`;
}

/** A batch file written: its name in the spool directory and its size. */
export interface WrittenBatch {
  name: string;
  bytes: number;
}

/** Durably add one batch file to a spool directory; resolves after the rename is fsynced. */
export async function writeBatch(spoolDir: string, records: Buffer[]): Promise<WrittenBatch> {
  const framed = frameRecords(records);
  const name =
    framed.length <= SYNC_WRITE_BYTES
      ? await writeSmallBatchFile(spoolDir, framed)
      : await writeBatchFile(spoolDir, (fh) => fh.writeFile(framed));
  return { name, bytes: framed.length };
}

/**
 * Durably adds one record sealed from a stream, as a batch file of its own; resolves after the rename is
 * fsynced. The record is the same as sealRecord's, so drain reads it unchanged; memory stays at one chunk.
 * Fails (and leaves nothing) when the source yields more or fewer bytes than `source.size`.
 */
export async function writeSealedStream(
  spoolDir: string,
  recipient: KeyObject,
  meta: SpoolMeta,
  source: DeliverSource,
): Promise<WrittenBatch> {
  const sealer = startRecord(recipient, meta);
  const frame = Buffer.alloc(4);
  const length = sealer.length(source.size);
  frame.writeUInt32BE(length);
  const name = await writeBatchFile(spoolDir, async (fh) => {
    await fh.write(Buffer.concat([frame, sealer.head]));
    let seen = 0;
    for await (const piece of source.open()) {
      seen += piece.length;
      if (seen > source.size) break;
      await fh.write(sealer.update(piece));
    }
    if (seen !== source.size) throw new Error(`spool source gave ${seen} bytes, ${source.size} announced`);
    await fh.write(sealer.final());
  });
  return { name, bytes: 4 + length };
}

/** Batch files in delivery order; removes temporary files a crashed writer left behind long ago. */
export async function listBatches(spoolDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(spoolDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  await removeStaleTemporaries(spoolDir, names);
  return names
    .filter((n) => n.endsWith('.sealed'))
    .sort()
    .map((n) => join(spoolDir, n));
}

/**
 * A temporary batch file is stale when its writer (the pid in its name) is no longer running, or when it is older
 * than STALE_TMP_MS (a pid can be reused, or belong to another host sharing the directory).
 */
async function removeStaleTemporaries(spoolDir: string, names: string[]): Promise<void> {
  for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'))) {
    const path = join(spoolDir, name);
    const info = await stat(path).catch(() => null);
    if (!info) continue;
    if (!writerAlive(name) || Date.now() - info.mtimeMs > STALE_TMP_MS) await unlink(path).catch(() => undefined);
  }
}

/** Whether the process named in `.<time>-<pid>-<sequence><rand>.tmp` still runs on this host (EPERM: it runs as another user). */
function writerAlive(name: string): boolean {
  const pid = Number(name.split('-')[1]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readBatch(path: string): Promise<Buffer[] | null> {
  try {
    return unframeRecords(await readFile(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function removeBatch(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

interface Pending {
  sealed: Buffer;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit per spool directory: while one batch is being written, new deliveries queue and go out
 * together in the next batch.
 */
export class SpoolWriter {
  readonly #queues = new Map<string, Pending[]>();
  readonly #busy = new Set<string>();
  readonly #onWritten: ((spoolDir: string, batch: WrittenBatch) => void) | undefined;

  /** `onWritten` hears of each batch file once it is durable, before its deliveries resolve. */
  constructor(onWritten?: (spoolDir: string, batch: WrittenBatch) => void) {
    this.#onWritten = onWritten;
  }

  append(spoolDir: string, sealed: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(spoolDir) ?? [];
      queue.push({ sealed, resolve, reject });
      this.#queues.set(spoolDir, queue);
      if (!this.#busy.has(spoolDir)) void this.#flush(spoolDir);
    });
  }

  async #flush(spoolDir: string): Promise<void> {
    this.#busy.add(spoolDir);
    try {
      for (;;) {
        const batch = this.#take(spoolDir);
        if (batch.length === 0) break;
        await writeBatch(
          spoolDir,
          batch.map((p) => p.sealed),
        ).then(
          (written) => {
            this.#onWritten?.(spoolDir, written);
            for (const p of batch) p.resolve();
          },
          (err: unknown) => {
            for (const p of batch) p.reject(err);
          },
        );
      }
    } finally {
      this.#busy.delete(spoolDir);
    }
  }

  /** The next batch: queued records up to MAX_BATCH_BYTES (at least one). */
  #take(spoolDir: string): Pending[] {
    const queue = this.#queues.get(spoolDir) ?? [];
    let bytes = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || bytes + (queue[n] as Pending).sealed.length <= MAX_BATCH_BYTES)) {
      bytes += (queue[n] as Pending).sealed.length;
      n += 1;
    }
    const batch = queue.splice(0, n);
    if (queue.length === 0) this.#queues.delete(spoolDir);
    return batch;
  }
}
