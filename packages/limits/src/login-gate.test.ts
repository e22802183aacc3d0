import { RateLimitError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { LoginGate, loginAddressKey, MemoryLoginFailureStore } from './login-gate.js';

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Runs attempts the way a protocol does: check, then (password wrong) fail; returns how many were checked. */
async function guess(gate: LoginGate, ip: string, user: string, times: number): Promise<number> {
  let checked = 0;
  for (let i = 0; i < times; i++) {
    if (!(await gate.check(ip, user)).allowed) continue;
    checked++;
    await gate.fail(ip, user);
  }
  return checked;
}

describe('LoginGate', () => {
  test('checks exactly perIp failed attempts from one address, refuses the next until the window ends', async () => {
    const time = clock();
    const gate = new LoginGate({ perIp: 10, perUserIp: 100, windowMs: 3_600_000, now: time.now });
    const users = Array.from({ length: 11 }, (_, i) => `user${i}@example.test`);
    for (const user of users.slice(0, 10)) expect(await guess(gate, '192.0.2.1', user, 1)).toBe(1);
    time.advance(1000);
    expect(await gate.check('192.0.2.1', users[10] ?? '')).toEqual({
      allowed: false,
      retryAfterMs: 3_599_000,
      scope: 'ip',
    });
    expect((await gate.check('192.0.2.2', users[10] ?? '')).allowed).toBe(true);
    time.advance(3_599_000);
    expect((await gate.check('192.0.2.1', users[10] ?? '')).allowed).toBe(true);
  });

  test('checks exactly perUserIp failed attempts for one user from one address', async () => {
    const gate = new LoginGate({ perIp: 100, perUserIp: 5 });
    expect(await guess(gate, '192.0.2.1', 'alice@example.test', 20)).toBe(5);
    expect(await gate.check('192.0.2.1', 'ALICE@example.test')).toMatchObject({ allowed: false, scope: 'user-ip' });
    expect((await gate.check('192.0.2.1', 'bob@example.test')).allowed).toBe(true);
  });

  test('never blocks a user from an address that has not been failing (no per-user count)', async () => {
    const gate = new LoginGate({ perIp: 3, perUserIp: 3 });
    for (let i = 0; i < 50; i++) await guess(gate, `198.51.100.${i}`, 'victim@example.test', 5);
    expect(await gate.check('203.0.113.7', 'victim@example.test')).toEqual({ allowed: true, retryAfterMs: 0 });
  });

  test('fail() reports the verdict for the next attempt', async () => {
    const gate = new LoginGate({ perIp: 2, perUserIp: 10 });
    expect((await gate.fail('192.0.2.1', 'a')).allowed).toBe(true);
    expect(await gate.fail('192.0.2.1', 'b')).toMatchObject({ allowed: false, scope: 'ip' });
  });

  test('a success forgets the pair, not the address', async () => {
    const gate = new LoginGate({ perIp: 4, perUserIp: 2 });
    await guess(gate, '192.0.2.1', 'alice', 2);
    expect((await gate.check('192.0.2.1', 'alice')).allowed).toBe(false);
    await gate.succeed('192.0.2.1', 'alice');
    expect((await gate.check('192.0.2.1', 'alice')).allowed).toBe(true);
    await guess(gate, '192.0.2.1', 'bob', 2);
    await gate.succeed('192.0.2.1', 'bob');
    expect(await gate.check('192.0.2.1', 'carol')).toMatchObject({ allowed: false, scope: 'ip' });
  });

  test('enforce() throws RateLimitError with the wait', async () => {
    const time = clock();
    const gate = new LoginGate({ perIp: 1, perUserIp: 1, windowMs: 60_000, now: time.now });
    await gate.enforce('192.0.2.1', 'a');
    await gate.fail('192.0.2.1', 'a');
    const error = await gate.enforce('192.0.2.1', 'a').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(60_000);
  });

  test('IPv6 addresses count per /64; IPv4-mapped addresses count as IPv4', async () => {
    expect(loginAddressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(loginAddressKey('2001:0DB8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(loginAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(loginAddressKey('::ffff:192.0.2.9')).toBe('192.0.2.9');
    expect(loginAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    const gate = new LoginGate({ perIp: 3, perUserIp: 10 });
    await guess(gate, '2001:db8:1:2::1', 'a', 1);
    await guess(gate, '2001:db8:1:2::2', 'b', 1);
    await guess(gate, '2001:db8:1:2:3:4:5:6', 'c', 1);
    expect((await gate.check('2001:db8:1:2::ffff', 'd')).allowed).toBe(false);
    expect((await gate.check('2001:db8:1:3::1', 'd')).allowed).toBe(true);
  });

  test('attempt() keeps N exact when many attempts arrive at once from one address', async () => {
    const gate = new LoginGate({ perIp: 100, perUserIp: 3 });
    let checked = 0;
    const wrongPassword = async () => {
      checked++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return null;
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => gate.attempt('192.0.2.1', 'alice', wrongPassword)),
    );
    expect(checked).toBe(3);
    expect(results.filter((r) => r.allowed)).toHaveLength(3);
    expect(results.filter((r) => !r.allowed)).toHaveLength(17);
    expect(gate.addressesInProgress).toBe(0);
  });

  test('attempt() returns the check result and forgets the pair on success; a thrown check counts nothing', async () => {
    const gate = new LoginGate({ perIp: 10, perUserIp: 2 });
    await gate.attempt('192.0.2.1', 'alice', async () => null);
    expect(await gate.attempt('192.0.2.1', 'alice', async () => 'account')).toEqual({
      allowed: true,
      value: 'account',
    });
    await gate.attempt('192.0.2.1', 'alice', async () => null);
    expect((await gate.check('192.0.2.1', 'alice')).allowed).toBe(true);
    await expect(
      gate.attempt('192.0.2.1', 'alice', async () => {
        throw new Error('store down');
      }),
    ).rejects.toThrow('store down');
    expect((await gate.check('192.0.2.1', 'alice')).allowed).toBe(true);
    expect(gate.addressesInProgress).toBe(0);
  });

  test('a huge user name is counted like any other, under a small key', async () => {
    const keys: string[] = [];
    const memory = new MemoryLoginFailureStore();
    const store = {
      get: (key: string) => memory.get(key),
      increment: (key: string, windowMs: number) => {
        keys.push(key);
        return memory.increment(key, windowMs);
      },
      delete: (key: string) => memory.delete(key),
    };
    const gate = new LoginGate({ perIp: 100, perUserIp: 2, store });
    const huge = `${'x'.repeat(60_000)}@example.test`;
    expect(await guess(gate, '192.0.2.1', huge, 5)).toBe(2);
    expect(await guess(gate, '192.0.2.1', huge.toUpperCase(), 1)).toBe(0);
    expect(Math.max(...keys.map((key) => key.length))).toBeLessThan(200);
  });

  test('refuses nonsense limits', () => {
    expect(() => new LoginGate({ perIp: 0, perUserIp: 1 })).toThrow(RangeError);
    expect(() => new LoginGate({ perIp: 1, perUserIp: 1, windowMs: 0 })).toThrow(RangeError);
  });
});

describe('MemoryLoginFailureStore', () => {
  test('holds at most maxKeys counters, dropping the least recently used', async () => {
    const store = new MemoryLoginFailureStore({ maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) await store.increment(`k${i}`, 60_000);
    expect(store.size).toBe(100);
    expect(await store.get('k0')).toBeNull();
    expect(await store.get('k9999')).toMatchObject({ count: 1 });
    await store.get('k9900');
    await store.increment('new', 60_000);
    expect(await store.get('k9900')).not.toBeNull();
    expect(await store.get('k9901')).toBeNull();
  });

  test('a gate over a small store stays bounded under a flood of addresses and users', async () => {
    const store = new MemoryLoginFailureStore({ maxKeys: 50 });
    const gate = new LoginGate({ perIp: 10, perUserIp: 3, store });
    for (let i = 0; i < 2_000; i++) await gate.fail(`10.0.${i >> 8}.${i & 255}`, `u${i}`);
    expect(store.size).toBe(50);
  });

  test('counters expire at the end of the window that the first increment opened', async () => {
    const time = clock();
    const store = new MemoryLoginFailureStore({ now: time.now });
    expect(await store.increment('k', 1000)).toEqual({ count: 1, resetAt: time.now() + 1000 });
    time.advance(600);
    expect((await store.increment('k', 1000)).count).toBe(2);
    time.advance(400);
    expect(await store.get('k')).toBeNull();
    expect(store.size).toBe(0);
    expect((await store.increment('k', 1000)).count).toBe(1);
  });
});
