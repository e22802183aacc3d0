// The server secret: 32 random bytes, kept in data/keys/master.key or given as MAILYARD_MASTER_KEY.
// Every other server key (control store, queue, web sessions) is derived from it with HKDF (RFC 5869).
import { hkdfSync } from 'node:crypto';

export const MASTER_KEY_BYTES = 32;

const HEX_KEY = /^[0-9a-f]{64}$/i;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Decodes a master key written as 64 hex digits or as base64 / base64url of 32 bytes; undefined otherwise. */
export function decodeMasterKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!BASE64_KEY.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === MASTER_KEY_BYTES ? key : undefined;
}

const HKDF_SALT = Buffer.from('mailyard/v1');

/**
 * A 32-byte key for one purpose ('control.db', 'queue', 'web.session'), from HKDF-SHA256 over the master key
 * (RFC 5869) with the purpose as the info label. Distinct purposes give independent keys.
 */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  if (masterKey.length !== MASTER_KEY_BYTES) {
    throw new RangeError(`master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
  }
  if (purpose.length === 0) throw new RangeError('deriveKey needs a purpose label');
  return Buffer.from(hkdfSync('sha256', masterKey, HKDF_SALT, purpose, 32));
}
