import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { textMessage } from '../test/fixtures.js';
import { createDefaultFolders, requireFolder } from './folders.js';
import { commitMessage, prepareMessage } from './ingest.js';
import { ensureMessageKeys } from './message-keys.js';
import { type Db, openDatabase } from './schema.js';
import { sortFolder } from './sort.js';

let dir: string;
let db: Db;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keys-'));
  db = openDatabase(join(dir, 'm.db'), null);
  createDefaultFolders(db);
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

async function store(subject: string): Promise<void> {
  const inbox = requireFolder(db, 'INBOX');
  commitMessage(db, await prepareMessage(textMessage({ subject })), { folderId: inbox.id, quotaBytes: 1e9 });
}

test('ingest writes the keys; mail stored without them gets them on the first SORT of its folder', async () => {
  await store('beta');
  await store('Re: alpha');
  const count = () => db.prepare('SELECT count(*) FROM message_keys').pluck().get();
  expect(count()).toBe(2);
  expect(ensureMessageKeys(db, requireFolder(db, 'INBOX'))).toBe(0);
  db.exec('DELETE FROM message_keys');
  expect(sortFolder(db, requireFolder(db, 'INBOX'), [{ key: 'subject' }], { key: 'all' })).toEqual([2, 1]);
  expect(count()).toBe(2);
  expect(db.prepare('SELECT subject, reply FROM message_keys ORDER BY content_id').raw().all()).toEqual([
    ['BETA', 0],
    ['ALPHA', 1],
  ]);
});

test('keys go with their content row', async () => {
  await store('gone soon');
  db.exec('DELETE FROM messages');
  db.exec('DELETE FROM contents');
  expect(db.prepare('SELECT count(*) FROM message_keys').pluck().get()).toBe(0);
});
