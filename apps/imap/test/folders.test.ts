/** LIST, LSUB, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, NAMESPACE, SPECIAL-USE, QUOTA. */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, message, startHarness, statusOf, type TestUser } from './harness.js';
import { loginWire } from './wire-client.js';

let h: Harness;
let user: TestUser;
let client: ImapFlow;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('folders');
  client = await h.client(user);
});
afterAll(async () => h?.close());

test('LIST shows the default folders with SPECIAL-USE attributes', async () => {
  const list = await client.list();
  const byPath = new Map(list.map((f) => [f.path, f]));
  expect([...byPath.keys()]).toEqual(expect.arrayContaining(['INBOX', 'Drafts', 'Sent', 'Archive', 'Junk', 'Trash']));
  expect(byPath.get('Sent')?.specialUse).toBe('\\Sent');
  expect(byPath.get('Trash')?.specialUse).toBe('\\Trash');
  expect(byPath.get('Drafts')?.flags.has('\\HasNoChildren')).toBe(true);
});

test('CREATE, nested CREATE and hierarchy flags', async () => {
  await client.mailboxCreate('Projects');
  await client.mailboxCreate(['Projects', 'Alpha']);
  const list = await client.list();
  const parent = list.find((f) => f.path === 'Projects');
  expect(parent?.flags.has('\\HasChildren')).toBe(true);
  expect(list.some((f) => f.path === 'Projects/Alpha')).toBe(true);
  expect(await client.mailboxCreate('Projects')).toMatchObject({ created: false });
});

test('CREATE of an existing folder answers ALREADYEXISTS', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  expect(await wire.command('C1', 'CREATE Sent')).toMatch(/^C1 NO \[ALREADYEXISTS\]/m);
  wire.close();
});

test('RENAME moves children too', async () => {
  await client.mailboxCreate(['Old', 'Child']);
  await client.append('Old/Child', message('kept'));
  await client.mailboxRename('Old', 'New');
  const paths = (await client.list()).map((f) => f.path);
  expect(paths).toContain('New');
  expect(paths).toContain('New/Child');
  expect(paths).not.toContain('Old/Child');
  const status = await statusOf(client, 'New/Child', { messages: true });
  expect(status.messages).toBe(1);
});

test('DELETE removes a folder; INBOX and missing folders fail', async () => {
  await client.mailboxCreate('Doomed');
  await client.mailboxDelete('Doomed');
  expect((await client.list()).some((f) => f.path === 'Doomed')).toBe(false);
  const wire = await loginWire(h.port, user.address, user.password);
  expect(await wire.command('D1', 'DELETE INBOX')).toMatch(/^D1 NO/m);
  expect(await wire.command('D2', 'DELETE Nowhere')).toMatch(/^D2 NO \[NONEXISTENT\]/m);
  wire.close();
});

test('SUBSCRIBE, UNSUBSCRIBE and LSUB', async () => {
  await client.mailboxCreate('Newsletters');
  await client.mailboxSubscribe('Newsletters');
  let subscribed = (await client.list()).filter((f) => f.subscribed).map((f) => f.path);
  expect(subscribed).toContain('Newsletters');
  await client.mailboxUnsubscribe('Newsletters');
  subscribed = (await client.list()).filter((f) => f.subscribed).map((f) => f.path);
  expect(subscribed).not.toContain('Newsletters');
  const wire = await loginWire(h.port, user.address, user.password);
  const lsub = await wire.command('L1', 'LSUB "" "*"');
  expect(lsub).toMatch(/^\* LSUB \([^)]*\) "\/" "INBOX"/m);
  expect(lsub).not.toMatch(/Newsletters/);
  wire.close();
});

test('STATUS counts messages, unseen, uidnext, uidvalidity, highestmodseq', async () => {
  await client.mailboxCreate('Counted');
  await client.append('Counted', message('a'), ['\\Seen']);
  await client.append('Counted', message('b'));
  const status = await statusOf(client, 'Counted', {
    messages: true,
    unseen: true,
    uidNext: true,
    uidValidity: true,
    highestModseq: true,
  });
  expect(status).toMatchObject({ messages: 2, unseen: 1, uidNext: 3 });
  expect(Number(status.uidValidity)).toBeGreaterThan(0);
  expect(Number(status.highestModseq)).toBeGreaterThan(0);
});

test('NAMESPACE, GETQUOTAROOT and GETQUOTA', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  expect(await wire.command('N1', 'NAMESPACE')).toMatch(/^\* NAMESPACE \(\("" "\/"\)\) NIL NIL/m);
  const root = await wire.command('Q1', 'GETQUOTAROOT INBOX');
  expect(root).toMatch(/^\* QUOTAROOT "INBOX" ""/m);
  expect(root).toMatch(/^\* QUOTA "" \(STORAGE \d+ 10485760\)/m);
  expect(await wire.command('Q2', 'GETQUOTA ""')).toMatch(/^\* QUOTA "" \(STORAGE \d+ 10485760\)/m);
  expect(await wire.command('Q3', 'GETQUOTA "other"')).toMatch(/^Q3 NO/m);
  wire.close();
  const quota = await client.getQuota('INBOX');
  expect(quota ? quota.storage?.limit : undefined).toBe(10 * 1024 ** 3);
});

test('no code bugs were logged', () => {
  expect(h.codeBugs()).toEqual([]);
});
