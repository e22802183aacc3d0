/**
 * Contract cases for dashboard sessions (part of runControlStoreContract): what every backend must show so that
 * several web processes, and a restarted one, share the same logins.
 */
import { describe, expect, test } from 'vitest';
import type { ControlStore } from '../src/types.js';

const HOUR = 3_600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function runSessionContract(current: () => ControlStore, openSecond: () => Promise<ControlStore>): void {
  describe('dashboard sessions', () => {
    const owner = (email = 'session-owner@example.org') =>
      current().createAccount({ email, password: 'correct horse' });

    test('issues a 256-bit secret that finds the session until it is deleted', async () => {
      const store = current();
      const account = await owner();
      const issued = await store.createSession(account.id, HOUR);
      expect(issued.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(issued.session).toMatchObject({ accountId: account.id, note: null });
      expect(issued.session.expiresAt.getTime() - issued.session.createdAt.getTime()).toBe(HOUR);
      expect(await store.getSession(issued.secret)).toEqual(issued.session);
      expect((await store.createSession(account.id, HOUR)).secret).not.toBe(issued.secret);
      expect(await store.getSession(`${issued.secret.slice(0, -1)}x`)).toBeNull();
      await store.deleteSession(issued.secret);
      expect(await store.getSession(issued.secret)).toBeNull();
    });

    test('keeps a note and records activity; a gone session cannot be touched', async () => {
      const store = current();
      const issued = await store.createSession((await owner()).id, HOUR);
      await sleep(5);
      expect(await store.touchSession(issued.secret, '{"text":"saved"}')).toBe(true);
      const touched = await store.getSession(issued.secret);
      expect(touched?.note).toBe('{"text":"saved"}');
      expect(touched?.lastSeenAt.getTime()).toBeGreaterThan(issued.session.lastSeenAt.getTime());
      expect(await store.touchSession(issued.secret, null)).toBe(true);
      expect((await store.getSession(issued.secret))?.note).toBeNull();
      await store.deleteSession(issued.secret);
      expect(await store.touchSession(issued.secret, 'x')).toBe(false);
    });

    test('is dead at its expiry, and expireSessions sweeps it', async () => {
      const store = current();
      const account = await owner();
      const short = await store.createSession(account.id, 20);
      const long = await store.createSession(account.id, HOUR);
      await sleep(30);
      expect(await store.getSession(short.secret)).toBeNull();
      expect(await store.touchSession(short.secret, 'x')).toBe(false);
      expect(await store.expireSessions()).toBe(1);
      expect(await store.getSession(long.secret)).not.toBeNull();
      expect(await store.expireSessions(new Date(Date.now() + 2 * HOUR))).toBe(1);
      expect(await store.getSession(long.secret)).toBeNull();
    });

    test("ends an account's other sessions and leaves other accounts alone", async () => {
      const store = current();
      const a = await owner('a-sessions@example.org');
      const b = await owner('b-sessions@example.org');
      const [a1, a2, a3, b1] = await Promise.all([
        store.createSession(a.id, HOUR),
        store.createSession(a.id, HOUR),
        store.createSession(a.id, HOUR),
        store.createSession(b.id, HOUR),
      ]);
      expect(await store.deleteSessionsForAccount(a.id, a2?.secret)).toBe(2);
      expect(await store.getSession(a1?.secret ?? '')).toBeNull();
      expect(await store.getSession(a3?.secret ?? '')).toBeNull();
      expect(await store.getSession(a2?.secret ?? '')).not.toBeNull();
      expect(await store.getSession(b1?.secret ?? '')).not.toBeNull();
      expect(await store.deleteSessionsForAccount(a.id)).toBe(1);
      expect(await store.getSession(a2?.secret ?? '')).toBeNull();
    });

    test('a second store over the same data sees, updates and ends the same sessions', async () => {
      const store = current();
      const second = await openSecond();
      try {
        const issued = await store.createSession((await owner()).id, HOUR);
        expect(await second.getSession(issued.secret)).toEqual(issued.session);
        expect(await second.touchSession(issued.secret, 'from the other process')).toBe(true);
        expect((await store.getSession(issued.secret))?.note).toBe('from the other process');
        await second.deleteSession(issued.secret);
        expect(await store.getSession(issued.secret)).toBeNull();
      } finally {
        await second.close();
      }
    });
  });
}
