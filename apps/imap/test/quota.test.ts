/**
 * QUOTA (RFC 9208) end to end: GETQUOTAROOT figures from the control store's limits and the mailbox's usage,
 * SETQUOTA by a domain administrator and NOPERM for anyone else, APPEND / COPY over the limit NO [OVERQUOTA], and
 * the usage the control store learns after an APPEND and an EXPUNGE.
 */

import { waitFor } from '@mailyard/testkit';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire } from './wire-client.js';

let h: Harness;
/** admin@ is the login email of the account that owns the harness domain: a quota administrator. */
let admin: TestUser;
let user: TestUser;
let client: ImapFlow;

beforeAll(async () => {
  h = await startHarness();
  admin = await h.addUser('admin');
  user = await h.addUser('quota');
  client = await h.client(user);
});
afterAll(async () => h?.close());

test('CAPABILITY lists QUOTA, its resources and QUOTASET', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  const caps = await wire.command('C1', 'CAPABILITY');
  for (const cap of ['QUOTA', 'QUOTA=RES-STORAGE', 'QUOTA=RES-MESSAGE', 'QUOTASET']) {
    expect(caps).toMatch(new RegExp(`^\\* CAPABILITY .* ${cap}( |$)`, 'm'));
  }
  wire.close();
});

test("GETQUOTAROOT reports the alias's limits (KiB and messages) set through the control store", async () => {
  await h.control.setAliasQuota(user.aliasId, { maxQuota: 100 * 1024, maxMessages: 3 });
  await client.append('INBOX', message('first', 'x'.repeat(4000)));
  const wire = await loginWire(h.port, user.address, user.password);
  const reply = await wire.command('Q1', 'GETQUOTAROOT INBOX');
  expect(reply).toMatch(/^\* QUOTAROOT "INBOX" ""/m);
  expect(reply).toMatch(/^\* QUOTA "" \(STORAGE 5 100 MESSAGE 1 3\)/m);
  const quota = await client.getQuota('INBOX');
  expect(quota ? quota.storage?.limit : undefined).toBe(100 * 1024);
  expect(quota && (quota as unknown as Record<string, unknown>).message).toMatchObject({ usage: 1, limit: 3 });
  // The domain's per-alias limit applies once the alias has none of its own; MESSAGE is reported only when set.
  await h.control.setAliasQuota(user.aliasId, { maxQuota: null, maxMessages: null });
  await h.control.setDomainQuota(user.domainId, { maxQuotaPerAlias: 50 * 1024 });
  expect(await wire.command('Q2', 'GETQUOTA ""')).toMatch(/^\* QUOTA "" \(STORAGE 5 50\)\r$/m);
  await h.control.setDomainQuota(user.domainId, { maxQuotaPerAlias: null });
  wire.close();
});

test('APPEND and COPY over the quota answer NO [OVERQUOTA] and store nothing', async () => {
  await h.control.setAliasQuota(user.aliasId, { maxQuota: 10 * 1024 });
  const wire = await loginWire(h.port, user.address, user.password);
  const big = message('too big', 'y'.repeat(8000));
  wire.send(`A1 APPEND INBOX {${big.length}+}\r\n`);
  wire.send(big);
  wire.send('\r\n');
  expect(await wire.readUntil(/^A1 /m)).toMatch(/^A1 NO \[OVERQUOTA\]/m);
  expect(await wire.command('S1', 'SELECT INBOX')).toMatch(/^\* 1 EXISTS/m);
  await h.control.setAliasQuota(user.aliasId, { maxQuota: 100 * 1024, maxMessages: 1 });
  expect(await wire.command('C1', 'COPY 1 Archive')).toMatch(/^C1 NO \[OVERQUOTA\]/m);
  // MOVE adds nothing to the mailbox, so it works at the limit.
  expect(await wire.command('M1', 'MOVE 1 Archive')).toMatch(/^M1 OK/m);
  await h.control.setAliasQuota(user.aliasId, { maxQuota: null, maxMessages: null });
  wire.close();
});

test('SETQUOTA by the domain administrator changes the limits; anyone else gets NO [NOPERM]', async () => {
  const other = await loginWire(h.port, user.address, user.password);
  expect(await other.command('S1', 'SETQUOTA "" (STORAGE 1)')).toMatch(/^S1 NO \[NOPERM\]/m);
  expect((await h.control.aliasQuota(user.aliasId))?.maxQuota).toBeNull();
  other.close();

  const wire = await loginWire(h.port, admin.address, admin.password);
  expect(await wire.command('S2', 'SETQUOTA "" (STORAGE 2048 MESSAGE 500)')).toMatch(
    /^\* QUOTA "" \(STORAGE 0 2048 MESSAGE 0 500\)\r\nS2 OK/m,
  );
  expect(await h.control.aliasQuota(admin.aliasId)).toMatchObject({ maxQuota: 2048 * 1024, maxMessages: 500 });
  // Leaving a resource out removes its limit (RFC 9208 §4.3): STORAGE falls back to the server default.
  expect(await wire.command('S3', 'SETQUOTA "" (MESSAGE 10)')).toMatch(
    /^\* QUOTA "" \(STORAGE 0 10485760 MESSAGE 0 10\)/m,
  );
  expect(await wire.command('S4', 'SETQUOTA "other" (STORAGE 1)')).toMatch(/^S4 NO \[NONEXISTENT\]/m);
  expect(await wire.command('S5', 'SETQUOTA "" (BANANAS 1)')).toMatch(/^S5 BAD/m);
  expect(await wire.command('S6', 'SETQUOTA "" (STORAGE)')).toMatch(/^S6 BAD/m);
  wire.close();
});

test('the control store learns the usage after APPEND and after EXPUNGE', async () => {
  const fresh = await h.addUser('usage');
  const c = await h.client(fresh);
  await c.append('INBOX', message('one', 'a'.repeat(3000)));
  await c.append('INBOX', message('two', 'b'.repeat(3000)));
  const stored = await waitFor(async () => {
    const q = await h.control.aliasQuota(fresh.aliasId);
    return q && q.messageCount === 2 ? q : null;
  });
  expect(stored.storageUsed).toBeGreaterThan(6000);
  await c.mailboxOpen('INBOX');
  await c.messageDelete('1', { uid: true });
  const after = await waitFor(async () => {
    const q = await h.control.aliasQuota(fresh.aliasId);
    return q && q.messageCount === 1 ? q : null;
  });
  expect(after.storageUsed).toBeLessThan(stored.storageUsed);
  expect(after.storageUsed).toBeGreaterThan(3000);
});
