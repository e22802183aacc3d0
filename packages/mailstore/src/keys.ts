/**
 * Key hierarchy of one mailbox (zero-access encryption).
 *
 *   password --scrypt(salt)--> wrapping key --AES-256-GCM--> data key (256 bit, random)
 *   recovery key --HKDF------> wrapping key --AES-256-GCM--> data key
 *   data key = raw ChaCha20 key of the mailbox database (no KDF per open)
 *   data key --HKDF--> key that encrypts the X25519 private key
 *   X25519 public key: plain in the key file, so delivery can seal without any password
 *
 * Changing a password rewraps the data key; the database is never re-encrypted.
 * The key file is rewritten atomically (tmp + fsync + rename + dir fsync).
 */
import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AuthenticationError } from '@mailyard/errors';
import type { KdfOptions } from './types.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

interface Sealed {
  nonce: string;
  ciphertext: string;
}

export interface WrappedDataKey extends Sealed {
  kind: 'password' | 'recovery';
  salt: string;
  scrypt?: ScryptParams;
}

export interface KeyFile {
  version: 1;
  mailboxId: string;
  createdAt: string;
  publicKey: string;
  privateKey: Sealed;
  wraps: WrappedDataKey[];
}

/**
 * Default scrypt cost for new wraps (config mailbox.kdfCost overrides N); each wrap stores its own parameters,
 * so mailboxes keep opening after a change. N=2^14, r=8 costs about 40 ms, paid once per mailbox per process:
 * the handle stays open and a repeat login is a keyed-hash check (about 0.1 ms). It is kept although a first
 * unlock then takes about 45 ms rather than under 20: reaching 20 ms needs N=2^12, which makes offline guessing
 * of a stolen key file four times cheaper, and this cost is all that protects a user-chosen password (the
 * point of zero-access storage), already well below OWASP's N=2^17. Server-generated 24-character passwords
 * would not need it, but the store cannot tell them from chosen ones.
 */
export const DEFAULT_KDF: ScryptParams = { N: 16384, r: 8, p: 1 };

export function kdfParams(opts: KdfOptions | undefined): ScryptParams {
  return { N: opts?.N ?? DEFAULT_KDF.N, r: opts?.r ?? DEFAULT_KDF.r, p: opts?.p ?? DEFAULT_KDF.p };
}

/** scrypt runs in this process per parameter set (`N:r:p`): what logins cost, counted where the KDF runs. */
const kdfRuns = new Map<string, number>();

export function kdfRunCount(params: ScryptParams): number {
  return kdfRuns.get(`${params.N}:${params.r}:${params.p}`) ?? 0;
}

function scryptKey(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  const runs = `${params.N}:${params.r}:${params.p}`;
  kdfRuns.set(runs, (kdfRuns.get(runs) ?? 0) + 1);
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, 32, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function hkdf(key: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, info, 32));
}

function seal(key: Buffer, plain: Buffer, aad: string): Sealed {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { nonce: nonce.toString('base64'), ciphertext: body.toString('base64') };
}

/** Returns null when the key is wrong or the data was tampered with. */
function unseal(key: Buffer, sealed: Sealed, aad: string): Buffer | null {
  const body = Buffer.from(sealed.ciphertext, 'base64');
  if (body.length < 16) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(body.subarray(body.length - 16));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
  } catch {
    return null;
  }
}

async function wrapWithPassword(id: string, dataKey: Buffer, password: string, params: ScryptParams) {
  const salt = randomBytes(16);
  const kek = await scryptKey(password, salt, params);
  const sealed = seal(kek, dataKey, `mailyard:${id}:password`);
  return { kind: 'password', salt: salt.toString('base64'), scrypt: params, ...sealed } satisfies WrappedDataKey;
}

function wrapWithRecovery(id: string, dataKey: Buffer, recovery: Buffer): WrappedDataKey {
  const salt = randomBytes(16);
  const sealed = seal(hkdf(recovery, salt, 'mailyard recovery wrap'), dataKey, `mailyard:${id}:recovery`);
  return { kind: 'recovery', salt: salt.toString('base64'), ...sealed };
}

/** 32 random bytes shown as eight dash-separated groups of hex. */
function formatRecoveryKey(bytes: Buffer): string {
  return (bytes.toString('hex').match(/.{8}/g) ?? []).join('-');
}

function parseRecoveryKey(text: string): Buffer | null {
  const hex = text.replace(/[\s-]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

export interface NewMailboxKeys {
  file: KeyFile;
  dataKey: Buffer;
  recoveryKey?: string;
}

export async function createMailboxKeys(
  id: string,
  password: string,
  params: ScryptParams,
  withRecovery: boolean,
): Promise<NewMailboxKeys> {
  const dataKey = randomBytes(32);
  const pair = generateKeyPairSync('x25519');
  const publicKey = pair.publicKey.export({ format: 'jwk' }).x as string;
  const privateRaw = Buffer.from(pair.privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  const wraps: WrappedDataKey[] = [await wrapWithPassword(id, dataKey, password, params)];
  const recovery = withRecovery ? randomBytes(32) : null;
  if (recovery) wraps.push(wrapWithRecovery(id, dataKey, recovery));
  const file: KeyFile = {
    version: 1,
    mailboxId: id,
    createdAt: new Date().toISOString(),
    publicKey: Buffer.from(publicKey, 'base64url').toString('base64'),
    privateKey: seal(privateKeyKey(dataKey), privateRaw, `mailyard:${id}:x25519`),
    wraps,
  };
  return recovery ? { file, dataKey, recoveryKey: formatRecoveryKey(recovery) } : { file, dataKey };
}

function privateKeyKey(dataKey: Buffer): Buffer {
  return hkdf(dataKey, Buffer.alloc(0), 'mailyard x25519 private key');
}

/** The raw X25519 private key (32 bytes). */
export function decryptPrivateKey(file: KeyFile, dataKey: Buffer): Buffer {
  const raw = unseal(privateKeyKey(dataKey), file.privateKey, `mailyard:${file.mailboxId}:x25519`);
  if (!raw) throw new Error(`private key of mailbox ${file.mailboxId} does not decrypt with its data key`);
  return raw;
}

export async function unwrapWithPassword(file: KeyFile, password: string): Promise<Buffer> {
  for (const wrap of file.wraps) {
    if (wrap.kind !== 'password' || !wrap.scrypt) continue;
    const kek = await scryptKey(password, Buffer.from(wrap.salt, 'base64'), wrap.scrypt);
    const key = unseal(kek, wrap, `mailyard:${file.mailboxId}:password`);
    if (key) return key;
  }
  throw new AuthenticationError('Invalid mailbox credentials');
}

/**
 * A key file whose one password wrap holds random bytes under `params`: unwrapping it runs the same scrypt and
 * AEAD check as a real mailbox and always fails, so an unknown user costs what a wrong password costs.
 */
export function decoyKeyFile(params: ScryptParams): KeyFile {
  const wrap: WrappedDataKey = {
    kind: 'password',
    salt: randomBytes(16).toString('base64'),
    scrypt: params,
    nonce: randomBytes(12).toString('base64'),
    ciphertext: randomBytes(48).toString('base64'),
  };
  const sealed = { nonce: wrap.nonce, ciphertext: wrap.ciphertext };
  return { version: 1, mailboxId: 'decoy', createdAt: '', publicKey: '', privateKey: sealed, wraps: [wrap] };
}

export function unwrapWithRecovery(file: KeyFile, recoveryKey: string): Buffer {
  const recovery = parseRecoveryKey(recoveryKey);
  const wrap = file.wraps.find((w) => w.kind === 'recovery');
  if (!recovery || !wrap) throw new AuthenticationError('Invalid recovery key');
  const kek = hkdf(recovery, Buffer.from(wrap.salt, 'base64'), 'mailyard recovery wrap');
  const key = unseal(kek, wrap, `mailyard:${file.mailboxId}:recovery`);
  if (!key) throw new AuthenticationError('Invalid recovery key');
  return key;
}

/** A copy of the key file whose password wrap is replaced; the recovery wrap is kept. */
export async function rewrapPassword(
  file: KeyFile,
  dataKey: Buffer,
  password: string,
  params: ScryptParams,
): Promise<KeyFile> {
  const wrap = await wrapWithPassword(file.mailboxId, dataKey, password, params);
  return { ...file, wraps: [wrap, ...file.wraps.filter((w) => w.kind !== 'password')] };
}

export async function readKeyFile(path: string): Promise<KeyFile> {
  const file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
  if (file.version !== 1) throw new Error(`unsupported key file version ${String(file.version)} in ${path}`);
  return file;
}

export function sameKey(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
