/** Sieve scripts on disk: stored in control.db under its encryption, like every other user setting. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@mailyard/testkit';
import { expect, test } from 'vitest';
import { SqliteControlStore } from './sqlite.js';

const scryptCost = { N: 1024, r: 8, p: 1 };

test('a stored Sieve script is not in plaintext in control.db or its WAL, and survives a reopen', async () => {
  const dir = await tempDir('mailyard-control-sieve-');
  const masterKey = randomBytes(32);
  try {
    const store = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost });
    const account = await store.createAccount({ email: 'disk@example.org', password: 'pw' });
    const domain = await store.createDomain({
      accountId: account.id,
      name: 'disk.example',
      verificationToken: 't',
      dkim: { selector: 's', publicKey: 'p', privateKeyPem: 'k' },
    });
    const alias = await store.createAlias(domain.id, { name: 'alice' });
    const content = 'require "fileinto";\nif header :contains "subject" "SECRET-RULE-MARKER" { fileinto "X"; }\n';
    await store.createSieveScript(alias.id, { name: 'SCRIPT-NAME-MARKER', content, isActive: true });
    await store.close();
    for (const file of ['control.db', 'control.db-wal']) {
      const bytes = await readFile(join(dir.path, file)).catch(() => Buffer.alloc(0));
      expect(bytes.includes('SECRET-RULE-MARKER'), file).toBe(false);
      expect(bytes.includes('SCRIPT-NAME-MARKER'), file).toBe(false);
    }
    const reopened = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost });
    expect((await reopened.getActiveSieveScript(alias.id))?.content).toBe(content);
    await reopened.close();
  } finally {
    await dir.cleanup();
  }
});

test('the active script is served from memory while unchanged, and a change by this or another process is seen at once', async () => {
  const dir = await tempDir('mailyard-control-sieve-');
  const masterKey = randomBytes(32);
  const mx = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost });
  const other = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost });
  try {
    const account = await mx.createAccount({ email: 'cache@example.org', password: 'pw' });
    const domain = await mx.createDomain({
      accountId: account.id,
      name: 'cache.example',
      verificationToken: 't',
      dkim: { selector: 's', publicKey: 'p', privateKeyPem: 'k' },
    });
    const alias = await mx.createAlias(domain.id, { name: 'bob' });
    expect(await mx.getActiveSieveScript(alias.id)).toBeNull();
    await mx.createSieveScript(alias.id, { name: 'a', content: 'keep;', isActive: true });
    const first = await mx.getActiveSieveScript(alias.id);
    expect(first?.content).toBe('keep;');
    expect(await mx.getActiveSieveScript(alias.id)).toBe(first);

    // Another connection (ManageSieve, the API) changes the content, twice within one millisecond if it can.
    await other.putSieveScript(alias.id, 'a', 'discard;');
    expect((await mx.getActiveSieveScript(alias.id))?.content).toBe('discard;');
    await other.putSieveScript(alias.id, 'a', 'keep;');
    expect((await mx.getActiveSieveScript(alias.id))?.content).toBe('keep;');
    await other.createSieveScript(alias.id, { name: 'b', content: 'stop;' });
    await other.setActiveSieveScript(alias.id, 'b');
    expect((await mx.getActiveSieveScript(alias.id))?.name).toBe('b');
    await other.setActiveSieveScript(alias.id, null);
    expect(await mx.getActiveSieveScript(alias.id)).toBeNull();

    // The same connection's own writes.
    await mx.setActiveSieveScript(alias.id, 'a');
    expect((await mx.getActiveSieveScript(alias.id))?.name).toBe('a');
    await mx.updateSieveScript(alias.id, 'a', { content: 'discard;' });
    expect((await mx.getActiveSieveScript(alias.id))?.content).toBe('discard;');
    await mx.updateSieveScript(alias.id, 'a', { isActive: false });
    expect(await mx.getActiveSieveScript(alias.id)).toBeNull();
    await mx.setActiveSieveScript(alias.id, 'b');
    await mx.deleteSieveScript(alias.id, 'b', { allowActive: true });
    expect(await mx.getActiveSieveScript(alias.id)).toBeNull();
  } finally {
    await other.close();
    await mx.close();
    await dir.cleanup();
  }
});
