/**
 * Secrets handled by the control store: password hashes (scrypt), API token digests (SHA-256) and values kept
 * encrypted at rest (AES-256-GCM). Shared by every backend so that hashes and ciphertexts are portable.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters. N=2^14, r=8 takes a few tens of milliseconds: cheap enough for logins, costly to brute-force. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 16384, r: 8, p: 1 };

const KEY_LENGTH = 32;

/** Called with the cost of every KDF run: lets a test count the work a login does (see KdfObserver users). */
export type KdfObserver = (cost: ScryptCost) => void;

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost, observe?: KdfObserver): Promise<Buffer> {
  observe?.(cost);
  return new Promise((resolve, reject) => {
    const maxmem = 256 * cost.N * cost.r + 1024 * 1024;
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...cost, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function encodeHash(cost: ScryptCost, salt: Buffer, hash: Buffer): string {
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Encodes as `scrypt$N$r$p$salt$hash` (base64) so that the cost can change without breaking stored hashes. */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
  observe?: KdfObserver,
): Promise<string> {
  const salt = randomBytes(16);
  return encodeHash(cost, salt, await scryptAsync(password, salt, cost, observe));
}

export async function verifyPassword(password: string, encoded: string, observe?: KdfObserver): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = encoded.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), cost, observe);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A hash that no password matches (random salt, random 256-bit "hash"), at `cost`. Checking a login for an
 * unknown user against it runs the same KDF as a real check, so response time does not tell which users exist;
 * making it costs nothing, so the first unknown login is no slower than the next.
 */
export function unmatchableHash(cost: ScryptCost): string {
  return encodeHash(cost, randomBytes(16), randomBytes(KEY_LENGTH));
}

/** API token secrets carry 256 random bits, so a plain SHA-256 digest is a safe lookup key. */
export function newTokenSecret(): string {
  return `myd_${randomBytes(32).toString('base64url')}`;
}

export function tokenDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newId(): string {
  return randomBytes(12).toString('hex');
}

/** AES-256-GCM with a random 96-bit nonce: output is nonce || tag || ciphertext. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('SecretBox needs a 32-byte key');
    this.#key = key;
  }

  seal(plain: Buffer, aad = ''): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, aad = ''): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  }
}
