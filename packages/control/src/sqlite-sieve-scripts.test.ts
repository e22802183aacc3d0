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
