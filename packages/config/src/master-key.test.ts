import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { decodeMasterKey, deriveKey } from './master-key.js';

describe('decodeMasterKey', () => {
  const key = randomBytes(32);

  test('accepts hex, base64 and base64url of 32 bytes', () => {
    expect(decodeMasterKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(decodeMasterKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(decodeMasterKey(key.toString('base64url'))?.equals(key)).toBe(true);
  });

  test('refuses other lengths and garbage', () => {
    expect(decodeMasterKey(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(decodeMasterKey(randomBytes(31).toString('base64'))).toBeUndefined();
    expect(decodeMasterKey('z'.repeat(64))).toBeUndefined();
  });
});

describe('deriveKey', () => {
  const master = Buffer.alloc(32, 7);

  test('is HKDF-SHA256: stable, 32 bytes, different per purpose and per master key', () => {
    const control = deriveKey(master, 'control.db');
    expect(control).toHaveLength(32);
    expect(deriveKey(master, 'control.db').equals(control)).toBe(true);
    expect(deriveKey(master, 'queue').equals(control)).toBe(false);
    expect(deriveKey(Buffer.alloc(32, 8), 'control.db').equals(control)).toBe(false);
    expect(control.equals(master)).toBe(false);
  });

  test('is pinned: a change here would make every existing data directory unreadable', () => {
    expect(deriveKey(master, 'control.db').toString('hex')).toBe(
      'a721d47dc42228474013deb68c2126c96f925e06bff69c66baa8f915ee97f05f',
    );
  });

  test('refuses a short master key or an empty purpose', () => {
    expect(() => deriveKey(Buffer.alloc(16), 'queue')).toThrow(RangeError);
    expect(() => deriveKey(master, '')).toThrow(RangeError);
  });
});
