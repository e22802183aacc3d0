import { randomBytes } from 'node:crypto';
import { SqliteControlStore } from '@mailyard/control';
import { tempDir } from '@mailyard/testkit';
import { describe, expect, test } from 'vitest';
import { DashboardSessions, isSessionId } from './sessions.js';

const scryptCost = { N: 1024, r: 8, p: 1 };

/** Two control stores over one data dir, as two web processes would open it. */
async function twoProcesses() {
  const dir = await tempDir('mailyard-web-sessions-');
  const masterKey = randomBytes(32);
  const first = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost });
  const second = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost });
  const account = await first.createAccount({ email: 'sessions@example.org', password: 'pw' });
  return {
    first,
    second,
    account,
    async [Symbol.asyncDispose]() {
      await first.close();
      await second.close();
      await dir.cleanup();
    },
  };
}

describe('DashboardSessions', () => {
  test('issues 256-bit random ids that another process (or a restart) finds, until they expire', async () => {
    await using stores = await twoProcesses();
    const here = new DashboardSessions(stores.first, { maxAgeMs: 60_000 });
    const there = new DashboardSessions(stores.second, { maxAgeMs: 60_000 });
    const session = await here.create(stores.account.id);
    expect(isSessionId(session.id)).toBe(true);
    expect(Buffer.from(session.id, 'base64url')).toHaveLength(32);
    expect((await here.create(stores.account.id)).id).not.toBe(session.id);
    expect((await there.get(session.id))?.accountId).toBe(stores.account.id);
    const brief = await new DashboardSessions(stores.first, { maxAgeMs: 10 }).create(stores.account.id);
    await new Promise((resolve) => setTimeout(resolve, 20)); // past its 10 ms lifetime
    expect(await there.get(brief.id)).toBeNull();
  });

  test('a flash set in one process is shown once, in another', async () => {
    await using stores = await twoProcesses();
    const here = new DashboardSessions(stores.first, { maxAgeMs: 60_000 });
    const there = new DashboardSessions(stores.second, { maxAgeMs: 60_000 });
    const session = await here.create(stores.account.id);
    session.flash = { kind: 'ok', text: 'Domain added.' };
    await here.save(session);
    const loaded = await there.get(session.id);
    expect(loaded?.flash).toEqual({ kind: 'ok', text: 'Domain added.' });
    if (loaded) delete loaded.flash;
    await there.save(loaded ?? session);
    expect((await here.get(session.id))?.flash).toBeUndefined();
  });

  test('logout and a password change in one process end the sessions in the other', async () => {
    await using stores = await twoProcesses();
    const here = new DashboardSessions(stores.first, { maxAgeMs: 60_000 });
    const there = new DashboardSessions(stores.second, { maxAgeMs: 60_000 });
    const [a, b, kept] = await Promise.all([1, 2, 3].map(() => here.create(stores.account.id)));
    await there.delete(a?.id ?? '');
    expect(await here.get(a?.id ?? '')).toBeNull();
    await there.deleteForAccount(stores.account.id, kept?.id);
    expect(await here.get(b?.id ?? '')).toBeNull();
    expect(await here.get(kept?.id ?? '')).not.toBeNull();
  });

  test('accepts only well-formed ids from cookies', () => {
    expect(isSessionId(undefined)).toBe(false);
    expect(isSessionId('short')).toBe(false);
    expect(isSessionId(`${'a'.repeat(42)}=`)).toBe(false);
  });
});
