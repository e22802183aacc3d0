/**
 * Issue 12 item 9, the IMAP side of a full disk (a real tmpfs filled to the last block; needs root, else skipped
 * with the reason, and failing under CI=true): LOGIN and SELECT work, existing mail reads, and writes answer
 * NO [OVERQUOTA] (the store's StorageFullError) instead of NO [SERVERBUG], with no code bug logged.
 */

import { type SmallFilesystem, smallFilesystem, waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire } from './wire-client.js';

let fs: SmallFilesystem | undefined;
let h: Harness | undefined;
let user: TestUser;

beforeAll(async () => {
  fs = await smallFilesystem(24 * 1024 * 1024);
  if (!fs) return;
  h = await startHarness({}, { dataDir: fs.dir, idleCloseMs: 50 });
  user = await h.addUser('full');
  const client = await h.client(user);
  for (const subject of ['one', 'two']) await client.append('INBOX', message(subject));
  await client.logout();
  // The store closes the mailbox, so the LOGIN below opens it afresh on the full disk.
  const harness = h;
  await waitFor(() => !harness.mailstore.isOpen(user.mailboxId));
});
afterAll(async () => {
  await h?.close();
  await fs?.cleanup();
});

test('on a full disk: LOGIN, SELECT and FETCH work; APPEND, STORE and CREATE answer NO [OVERQUOTA]', async () => {
  if (!fs || !h) return;
  await fs.fill();
  const wire = await loginWire(h.port, user.address, user.password);
  expect(await wire.command('S1', 'SELECT INBOX')).toMatch(/^S1 OK/m);
  expect(await wire.command('F1', 'FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).toMatch(/Subject: two/);
  expect(await wire.command('A1', 'APPEND INBOX {20+}\r\nSubject: x\r\n\r\nbody\r\n')).toMatch(/^A1 NO \[OVERQUOTA\]/m);
  expect(await wire.command('T1', 'STORE 1 +FLAGS (\\Flagged)')).toMatch(/^T1 NO \[OVERQUOTA\]/m);
  expect(await wire.command('C1', 'CREATE Elsewhere')).toMatch(/^C1 NO \[OVERQUOTA\]/m);
  expect(await wire.command('F2', 'FETCH 2 (BODY.PEEK[TEXT])')).toMatch(/Hello there\./);
  wire.close();
  await fs.free();
  expect(h.codeBugs()).toEqual([]);
});
