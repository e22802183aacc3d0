import { randomBytes } from 'node:crypto';
import { tempDir } from '@mailyard/testkit';
import { expect, test } from 'vitest';
import { resolveQuota } from './quotas.js';
import { SqliteControlStore } from './sqlite.js';

test('quota settings and reported usage round-trip through control.db, summed per domain', async () => {
  const dir = await tempDir('mailyard-quotas-');
  const store = new SqliteControlStore({
    dataDir: dir.path,
    masterKey: randomBytes(32),
    scryptCost: { N: 1024, r: 8, p: 1 },
  });
  try {
    const account = await store.createAccount({ email: 'owner@example.org', password: 'pw' });
    const domain = await store.createDomain({
      accountId: account.id,
      name: 'quota.example',
      verificationToken: 't',
      dkim: { selector: 's', publicKey: 'p', privateKeyPem: 'k' },
    });
    const a = await store.createAlias(domain.id, { name: 'a', hasImap: true });
    const b = await store.createAlias(domain.id, { name: 'b', hasImap: true });
    await store.setMailboxCredential(a.id, 'mbox-a', 'pw-a');
    await store.setMailboxCredential(b.id, 'mbox-b', 'pw-b');
    // Without a domain max_quota nothing limits the domain's sum, so it is not worked out.
    expect(await store.mailboxQuota('mbox-a')).toMatchObject({
      maxQuota: null,
      storageUsed: 0,
      domainMaxQuota: null,
      domainStorageUsed: null,
    });
    expect((await store.aliasQuotas([a.id])).get(a.id)).toEqual(await store.aliasQuota(a.id));

    expect(await store.setAliasQuota(a.id, { maxQuota: 5000, maxMessages: 10 })).toBe(true);
    expect(await store.setDomainQuota(domain.id, { maxQuota: 8000 })).toBe(true);
    await store.recordMailboxUsage('mbox-a', { bytes: 1000, messages: 2 });
    await store.recordMailboxUsage('mbox-b', { bytes: 4000, messages: 5 });

    const record = await store.mailboxQuota('mbox-a');
    expect(record).toMatchObject({ maxQuota: 5000, maxMessages: 10, storageUsed: 1000, domainStorageUsed: 5000 });
    if (!record) throw new Error('mbox-a has no quota record');
    // The domain has 8000 - 4000 (b) = 4000 left for a, under a's own 5000.
    expect(resolveQuota(record, 10_000).bytes).toBe(4000);
    expect(await store.domainQuota(domain.id)).toEqual({
      maxQuotaPerAlias: null,
      maxQuota: 8000,
      storageUsed: 5000,
      messageCount: 7,
    });

    // A patch leaves what it does not name; null clears.
    await store.setAliasQuota(a.id, { maxQuota: null });
    expect(await store.aliasQuota(a.id)).toMatchObject({ maxQuota: null, maxMessages: 10 });
    await store.setDomainQuota(domain.id, { maxQuotaPerAlias: 3000 });
    expect(await store.domainQuota(domain.id)).toMatchObject({ maxQuotaPerAlias: 3000, maxQuota: 8000 });
    expect(await store.setAliasQuota('nope', { maxQuota: 1 })).toBe(false);

    // A page's records in one call are the one-by-one records (the domain's sum included); unknown ids left out.
    const page = await store.aliasQuotas([a.id, 'nope', b.id]);
    expect([...page.keys()].sort()).toEqual([a.id, b.id].sort());
    expect(page.get(a.id)).toEqual(await store.aliasQuota(a.id));
    expect(page.get(b.id)).toEqual(await store.aliasQuota(b.id));
    expect(page.get(b.id)).toMatchObject({ storageUsed: 4000, domainStorageUsed: 5000 });
    expect((await store.aliasQuotas([])).size).toBe(0);
    expect(await store.mailboxQuota('unknown-mailbox')).toBeNull();
  } finally {
    await store.close();
    await dir.cleanup();
  }
});
