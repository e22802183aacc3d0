import { waitFor } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import type { ChangeEvent } from './types.js';

const DAY = 86_400_000;
let t: TestStore | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

test('unlocking expunges Trash and Junk mail older than the retention period, and nothing else', async () => {
  t = await testStore({ retentionDays: 30 });
  await t.store.createMailbox('m', 'pw');
  const setup = await t.store.open('m', 'pw'); // the first open runs retention on an empty mailbox
  const old = new Date(Date.now() - 31 * DAY);
  const recent = new Date(Date.now() - 29 * DAY);
  const oldTrash = await setup.append('Trash', textMessage({ subject: 'old trash' }), { internalDate: old });
  const newTrash = await setup.append('Trash', textMessage({ subject: 'new trash' }), { internalDate: recent });
  const oldJunk = await setup.append('Junk', textMessage({ subject: 'old junk' }), { internalDate: old });
  const oldInbox = await setup.append('INBOX', textMessage({ subject: 'old inbox' }), { internalDate: old });
  const oldArchive = await setup.append('Archive', textMessage({ subject: 'old archive' }), { internalDate: old });
  setup.close();
  await waitFor(() => !t?.store.isOpen('m')); // idleCloseMs 20: the handle closes, so retention runs again

  const watcher = t.another();
  const events: ChangeEvent[] = [];
  const unsubscribe = watcher.notifier.subscribe('m', (e) => events.push(e));
  const s = await t.store.open('m', 'pw');
  expect(s.listMessages('Trash').map((m) => m.uid)).toEqual([newTrash.uid]);
  expect(s.listMessages('Junk')).toEqual([]);
  expect(s.listMessages('INBOX').map((m) => m.uid)).toEqual([oldInbox.uid]);
  expect(s.listMessages('Archive').map((m) => m.uid)).toEqual([oldArchive.uid]);
  expect(
    s
      .changesSince('Trash', 0)
      .filter((c) => c.kind === 'expunged')
      .map((c) => c.uid),
  ).toEqual([oldTrash.uid]);
  expect(
    s
      .changesSince('Junk', 0)
      .filter((c) => c.kind === 'expunged')
      .map((c) => c.uid),
  ).toEqual([oldJunk.uid]);
  const used = s.quota().usedBytes;
  expect(used).toBeGreaterThan(0);
  await waitFor(() => events.filter((e) => e.kind === 'expunged').length >= 2);
  expect(events.filter((e) => e.kind === 'expunged').length).toBe(2);
  unsubscribe();
  s.close();
  await watcher.close();
});

test('retentionDays 0 keeps Trash forever', async () => {
  t = await testStore({ retentionDays: 0 });
  await t.store.createMailbox('m', 'pw');
  const s = await t.store.open('m', 'pw');
  await s.append('Trash', textMessage(), { internalDate: new Date(Date.now() - 400 * DAY) });
  s.close();
  await waitFor(() => !t?.store.isOpen('m'));
  const again = await t.store.open('m', 'pw');
  expect(again.listMessages('Trash')).toHaveLength(1);
  again.close();
});
