import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { TEST_KDF } from '../test/fixtures.js';
import { listMailboxIds, mailboxBackupFiles } from './backup-files.js';
import { Mailstore } from './mailstore.js';
import { mailboxPaths } from './paths.js';

let dataDir: string;
let store: Mailstore;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mailyard-backup-files-'));
  store = new Mailstore({ dataDir, kdf: TEST_KDF });
});

afterEach(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('lists every created mailbox and, per mailbox, its spool batches, key file and database as they are now', async () => {
  expect(await listMailboxIds(dataDir)).toEqual([]);
  await store.createMailbox('bob', 'pw-bob-123456');
  await store.createMailbox('alice', 'pw-alice-123456');
  expect(await listMailboxIds(dataDir)).toEqual(['alice', 'bob']);

  await store.deliver('alice', Buffer.from('Subject: one\r\n\r\nbody\r\n'));
  await store.deliver('alice', Buffer.from('Subject: two\r\n\r\nbody\r\n'));
  const files = await mailboxBackupFiles(dataDir, 'alice');
  const paths = mailboxPaths(dataDir, 'alice');
  expect(files.mailboxId).toBe('alice');
  expect(join(dataDir, files.keyFile)).toBe(paths.keyFile);
  expect(join(dataDir, files.database)).toBe(paths.db);
  expect(files.spoolBatches).toHaveLength(2);
  for (const batch of files.spoolBatches) {
    expect(join(dataDir, batch).startsWith(paths.spoolDir)).toBe(true);
    expect(batch.endsWith('.sealed')).toBe(true);
  }

  // Draining the spool (an unlock) empties the list; the paths are relative, so a backup mirrors the data dir.
  const session = await store.open('alice', 'pw-alice-123456');
  session.close();
  expect((await mailboxBackupFiles(dataDir, 'alice')).spoolBatches).toEqual([]);
  expect(files.keyFile.startsWith('/')).toBe(false);
});

test('files that are not key files of valid mailbox ids are not mailboxes', async () => {
  await store.createMailbox('carol', 'pw-carol-123456');
  const shardDir = join(mailboxPaths(dataDir, 'carol').keyFile, '..');
  await writeFile(join(shardDir, 'notes.txt'), 'x');
  await writeFile(join(shardDir, '..keys.json'), 'x');
  expect(await listMailboxIds(dataDir)).toEqual(['carol']);
});
