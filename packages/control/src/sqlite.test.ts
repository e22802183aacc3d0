import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveKey } from '@mailyard/config';
import { tempDir } from '@mailyard/testkit';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, test } from 'vitest';
import { runControlStoreContract } from '../test/contract.js';
import type { ScryptCost } from './secrets.js';
import { SqliteControlStore } from './sqlite.js';
import { migrate, SCHEMA_VERSION } from './sqlite-schema.js';

/** Tests lower the scrypt cost; production keeps DEFAULT_SCRYPT_COST. */
const scryptCost = { N: 1024, r: 8, p: 1 };

async function freshStore(masterKey = randomBytes(32)) {
  const dir = await tempDir('mailyard-control-');
  const dataDir = dir.path;
  const kdfLog: ScryptCost[] = [];
  const store = new SqliteControlStore({ dataDir, masterKey, scryptCost, onKdf: (cost) => kdfLog.push(cost) });
  const dispose = async () => {
    await store.close();
    await dir.cleanup();
  };
  const openSecond = async () => new SqliteControlStore({ dataDir, masterKey, scryptCost });
  return { store, dispose, openSecond, kdfLog, dataDir, masterKey };
}

/** control.db opened directly, bypassing the store, to check what lies on disk. */
function openRaw(dataDir: string, masterKey: Buffer): Database.Database {
  const db = new Database(join(dataDir, 'control.db'));
  db.pragma(`cipher='chacha20'`);
  db.pragma(`key="x'${deriveKey(masterKey, 'control.db').toString('hex')}'"`);
  return db;
}

runControlStoreContract('sqlite', freshStore);

describe('SqliteControlStore on disk', () => {
  test('control.db holds no plaintext, needs the master key, and keeps data across reopen', async () => {
    const { store, dispose, dataDir, masterKey } = await freshStore();
    try {
      const account = await store.createAccount({ email: 'plain-marker@example.org', password: 'pw' });
      await store.createDomain({
        accountId: account.id,
        name: 'marker-domain.example',
        verificationToken: 't',
        dkim: { selector: 's', publicKey: 'p', privateKeyPem: 'PRIVATE-KEY-MARKER' },
      });
      await store.close();
      for (const file of ['control.db', 'control.db-wal']) {
        const bytes = await readFile(join(dataDir, file)).catch(() => Buffer.alloc(0));
        for (const marker of ['plain-marker', 'marker-domain', 'PRIVATE-KEY-MARKER', 'SQLite format 3']) {
          expect(bytes.includes(marker), `${file} contains ${marker}`).toBe(false);
        }
      }
      expect(() => new SqliteControlStore({ dataDir, masterKey: randomBytes(32), scryptCost })).toThrow();
      const reopened = new SqliteControlStore({ dataDir, masterKey, scryptCost });
      expect((await reopened.getAccount(account.id))?.email).toBe('plain-marker@example.org');
      expect((await reopened.getDkimKey('marker-domain.example'))?.privateKeyPem).toBe('PRIVATE-KEY-MARKER');
      await reopened.close();
    } finally {
      await dispose();
    }
  });

  test('two connections to one control.db never lease the same queue item', async () => {
    const { store, dispose, dataDir, masterKey } = await freshStore();
    const second = new SqliteControlStore({ dataDir, masterKey, scryptCost });
    try {
      const body = Buffer.from('x');
      for (let i = 0; i < 20; i++)
        await store.enqueue({ envelopeFrom: 'a@example.com', recipients: ['b@r.example'], body });
      const now = new Date(Date.now() + 1);
      const claimed: string[] = [];
      for (let round = 0; round < 6; round++) {
        const [a, b] = await Promise.all([store.claimDue('p1', now, 2), second.claimDue('p2', now, 2)]);
        claimed.push(...a.map((i) => i.id), ...b.map((i) => i.id));
      }
      expect(claimed).toHaveLength(20);
      expect(new Set(claimed).size).toBe(20);
    } finally {
      await second.close();
      await dispose();
    }
  });

  test('keeps only the SHA-256 of a session secret', async () => {
    const { store, dispose, dataDir, masterKey } = await freshStore();
    try {
      const account = await store.createAccount({ email: 'digest@example.org', password: 'pw' });
      const { secret } = await store.createSession(account.id, 60_000);
      const db = openRaw(dataDir, masterKey);
      const rows = db.prepare('SELECT * FROM web_sessions').all();
      db.close();
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(rows).toEqual([expect.objectContaining({ digest: createHash('sha256').update(secret).digest('hex') })]);
    } finally {
      await dispose();
    }
  });

  test('migrates to the current schema version and refuses a newer database', async () => {
    const { store, dispose, dataDir, masterKey } = await freshStore();
    try {
      await store.close();
      const db = openRaw(dataDir, masterKey);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
      expect(() => new SqliteControlStore({ dataDir, masterKey, scryptCost })).toThrow(/newer than this build/);
    } finally {
      await dispose();
    }
  });

  test('schema 6 keeps the domains that existed before verification was required: verified by the migration', async () => {
    const dir = await tempDir('mailyard-control-');
    const masterKey = randomBytes(32);
    try {
      const db = openRaw(dir.path, masterKey);
      migrate(db, 5);
      db.prepare(
        `INSERT INTO accounts (id, email, password_hash, created_at) VALUES ('a1', 'o@example.org', 'x', 1)`,
      ).run();
      db.prepare(
        `INSERT INTO domains (id, account_id, name, verification_token, dkim_selector, dkim_public_key,
           dkim_private_key, created_at) VALUES ('d1', 'a1', 'old.example', 't', 's', 'p', x'00', 1000)`,
      ).run();
      db.close();
      const store = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost });
      const old = await store.findDomainByName('old.example');
      expect(old).toMatchObject({ verifiedBy: 'migration', verifiedAt: new Date(1000) });
      expect(await store.isHostedDomain('old.example')).toBe(true);
      await store.close();
    } finally {
      await dir.cleanup();
    }
  });

  test("schema 15 makes names with '*' the wildcards they were written as; '**' alone stays literal", async () => {
    const dir = await tempDir('mailyard-control-');
    const masterKey = randomBytes(32);
    try {
      const db = openRaw(dir.path, masterKey);
      migrate(db, 14);
      db.prepare(
        `INSERT INTO accounts (id, email, password_hash, created_at) VALUES ('a1', 'o@example.org', 'x', 1)`,
      ).run();
      db.prepare(
        `INSERT INTO domains (id, account_id, name, verification_token, dkim_selector, dkim_public_key,
           dkim_private_key, created_at, verified_at, verified_by)
           VALUES ('d1', 'a1', 'old.example', 't', 's', 'p', x'00', 1000, 1000, 'admin')`,
      ).run();
      const alias = db.prepare(
        `INSERT INTO aliases (id, domain_id, name, recipients, created_at, updated_at) VALUES (?, 'd1', ?, '[]', 1, 1)`,
      );
      for (const [id, name] of [
        ['x1', 'sales*'],
        ['x2', '**'],
        ['x3', '*'],
        ['x4', 'info'],
      ])
        alias.run(id, name);
      db.close();
      const store = new SqliteControlStore({ dataDir: dir.path, masterKey, scryptCost });
      const kinds = await Promise.all(['x1', 'x2', 'x3', 'x4'].map((id) => store.findAlias('d1', id)));
      expect(kinds.map((a) => a?.patternKind)).toEqual(['wildcard', 'exact', 'exact', 'exact']);
      expect((await store.resolveRecipient('salesforce@old.example'))?.alias.id).toBe('x1');
      await store.close();
    } finally {
      await dir.cleanup();
    }
  });
});
