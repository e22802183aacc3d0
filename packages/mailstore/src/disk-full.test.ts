import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StorageFullError, toImapResponse } from '@mailyard/errors';
import { type SmallFilesystem, smallFilesystem, waitFor } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { TEST_KDF, textMessage } from '../test/fixtures.js';
import { Mailstore } from './mailstore.js';
import { FileChangeNotifier } from './notifier.js';
import { mailboxPaths } from './paths.js';
import type { ChangeEvent } from './types.js';

let fs: SmallFilesystem | undefined;
const stores: Mailstore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await fs?.cleanup();
});

function storeOn(dir: string): Mailstore {
  const store = new Mailstore({ dataDir: dir, kdf: TEST_KDF, idleCloseMs: 20, notifyPollMs: 50 });
  stores.push(store);
  return store;
}

/** A mailbox with `count` messages whose handle is closed again (SQLite removed its -wal and -shm files). */
async function mailboxWithMail(dir: string, count: number): Promise<Buffer[]> {
  const store = storeOn(dir);
  await store.createMailbox('m', 'pw');
  const raws = Array.from({ length: count }, (_, i) => textMessage({ subject: `kept ${i}`, messageId: `k${i}` }));
  for (const raw of raws) await store.deliver('m', raw);
  const session = await store.open('m', 'pw');
  session.search('INBOX', { key: 'text', value: 'kept' });
  session.close();
  await store.close();
  return raws;
}

test('on a full disk a mailbox opens, its mail reads back, and writes fail as a full disk', async () => {
  fs = await smallFilesystem(4 * 1024 * 1024);
  if (!fs) return;
  const raws = await mailboxWithMail(fs.dir, 3);
  await fs.fill();
  expect(await fs.freeBytes()).toBe(0);

  const session = await storeOn(fs.dir).open('m', 'pw');
  const listed = session.listMessages('INBOX');
  expect(listed.map((m) => session.getRaw('INBOX', m.uid))).toEqual(raws);
  expect(session.search('INBOX', { key: 'subject', value: 'kept 1' })).toEqual([listed[1]?.uid]);

  expect(session.claimRecent('INBOX')).toEqual(listed.map((m) => m.uid));

  const appended = session.append('INBOX', textMessage({ body: 'y'.repeat(64 * 1024) }));
  await expect(appended).rejects.toBeInstanceOf(StorageFullError);
  expect(() => session.store('INBOX', [listed[0]?.uid as number], { mode: 'add', flags: ['\\Seen'] })).toThrow(
    StorageFullError,
  );
  expect(() => session.createFolder('New')).toThrow(StorageFullError);
  expect(toImapResponse(await appended.catch((err: unknown) => err))).toMatchObject({
    status: 'NO',
    code: 'OVERQUOTA',
  });
  expect(session.listMessages('INBOX')).toHaveLength(3);
  session.close();
});

test('once space is free again the next open writes normally and drains what waited in the spool', async () => {
  fs = await smallFilesystem(4 * 1024 * 1024);
  if (!fs) return;
  await mailboxWithMail(fs.dir, 1);
  const store = storeOn(fs.dir);
  await store.deliver('m', textMessage({ subject: 'spooled before the disk filled' }));
  await fs.fill();
  const full = await store.open('m', 'pw');
  expect(full.listMessages('INBOX')).toHaveLength(1);
  full.close();

  await fs.free();
  const session = await store.open('m', 'pw');
  expect(session.listMessages('INBOX')).toHaveLength(2);
  await expect(session.append('INBOX', textMessage({ subject: 'after' }))).resolves.toMatchObject({ uid: 3 });
  session.close();
});

test('a password change on a full disk fails, keeps the old key file and leaves no temporary file', async () => {
  fs = await smallFilesystem(2 * 1024 * 1024);
  if (!fs) return;
  const store = storeOn(fs.dir);
  await store.createMailbox('m', 'old');
  await fs.fill();
  await expect(store.changePassword('m', 'old', 'new')).rejects.toMatchObject({ code: 'ENOSPC' });
  const keyDir = dirname(mailboxPaths(fs.dir, 'm').keyFile);
  expect((await readdir(keyDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  await fs.free();
  (await store.open('m', 'old')).close();
});

test('a change event that cannot be written for other processes is reported, not thrown', async () => {
  fs = await smallFilesystem(1024 * 1024);
  if (!fs) return;
  const failures: Array<{ code: unknown; mailboxId: string }> = [];
  const notifier = new FileChangeNotifier(fs.dir, {
    pollMs: 50,
    onWriteError: (err, mailboxId) => failures.push({ code: (err as NodeJS.ErrnoException).code, mailboxId }),
  });
  try {
    const heard: ChangeEvent[] = [];
    notifier.subscribe('m', (event) => heard.push(event));
    await fs.fill();
    notifier.publish({ mailboxId: 'm', folder: 'INBOX', kind: 'added', uid: 1 });
    await waitFor(() => failures.length > 0);
    expect(heard).toHaveLength(1);
    expect(failures).toEqual([{ code: 'ENOSPC', mailboxId: 'm' }]);
  } finally {
    notifier.close();
  }
});
