import { describe, expect, test } from 'vitest';
import { isSecretKey, REDACTED, redactSecrets, redactText } from './redact.js';

describe('isSecretKey', () => {
  test.each([
    'password',
    'pass',
    'newPassword',
    'new_password',
    'token',
    'accessToken',
    'apiKey',
    'api_key',
    'x-api-key',
    'secret',
    'clientSecret',
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'Set-Cookie',
    'privateKey',
    'private_key',
    'dkimPrivateKey',
    'dkimKey',
    'masterKey',
    'body',
    'raw',
    'content',
    'html',
  ])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  test.each(['user', 'address', 'mailbox', 'content-type', 'contentType', 'size', 'publicKey', 'text', 'cid'])(
    '%s is not secret',
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );
});

describe('redactSecrets', () => {
  test('returns the same object when nothing is secret, and never mutates its input', () => {
    const clean = { a: 1, b: { c: [1, { d: 'x' }] } };
    expect(redactSecrets(clean)).toBe(clean);
    const dirty = { a: 1, b: { c: [1, { password: 'x' }] } };
    const redacted = redactSecrets(dirty);
    expect(redacted).toEqual({ a: 1, b: { c: [1, { password: REDACTED }] } });
    expect(dirty.b.c[1]).toEqual({ password: 'x' });
  });

  test('keeps null and undefined secrets visible as absent values', () => {
    expect(redactSecrets({ password: null, token: undefined })).toEqual({ password: null, token: undefined });
  });

  test('walks Maps, Sets and objects with toJSON', () => {
    const value = {
      map: new Map([['token', 't-1']]),
      set: new Set([{ secret: 's-1' }]),
      custom: { toJSON: () => ({ apiKey: 'k-1' }) },
    };
    expect(redactSecrets(value)).toEqual({
      map: { token: REDACTED },
      set: [{ secret: REDACTED }],
      custom: { apiKey: REDACTED },
    });
  });

  test('stops at a depth limit instead of overflowing', () => {
    let deep: Record<string, unknown> = { password: 'bottom' };
    for (let level = 0; level < 50; level++) deep = { next: deep };
    expect(JSON.stringify(redactSecrets(deep))).not.toContain('bottom');
  });
});

describe('redactText', () => {
  test('masks URL passwords, auth schemes and PEM private keys, leaving the rest', () => {
    expect(redactText('redis://user:pw123@host:6379')).toBe(`redis://user:${REDACTED}@host:6379`);
    expect(redactText('Authorization: Bearer abcdefgh12345678')).toBe(`Authorization: Bearer ${REDACTED}`);
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';
    expect(redactText(`key=${pem}`)).toBe(`key=${REDACTED}`);
    expect(redactText('https://example.com/path')).toBe('https://example.com/path');
    expect(redactText('250 2.0.0 OK')).toBe('250 2.0.0 OK');
  });

  test("masks Mailyard's prefixed secrets in paths and query strings, keeping the prefix", () => {
    const invite = 'myi_0f3c9a1b2d4e5f60718293a4b5c6d7e8';
    expect(redactText(`/v1/invites/${invite}/accept`)).toBe(`/v1/invites/myi_${REDACTED}/accept`);
    expect(redactText('/v1/aliases/verify?token=myd_AbC-12_xyzXYZ0123456789')).toBe(
      `/v1/aliases/verify?token=myd_${REDACTED}`,
    );
    expect(redactSecrets({ path: `/invites/${invite}` })).toEqual({ path: `/invites/myi_${REDACTED}` });
    // Short words that merely start alike are left alone.
    expect(redactText('mydomain myi_short')).toBe('mydomain myi_short');
  });
});
