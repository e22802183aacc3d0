import { afterEach, beforeEach, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import type { MailboxSession } from './types.js';

let t: TestStore;
let s: MailboxSession;
beforeEach(async () => {
  t = await testStore();
  await t.store.createMailbox('m', 'pw');
  s = await t.store.open('m', 'pw');
});
afterEach(async () => {
  s.close();
  await t.cleanup();
});

test('locate finds every copy of an EMAILID, follows moves and expunges, and knows no other id', async () => {
  await s.append('INBOX', textMessage());
  await s.append('INBOX', textMessage());
  const id = s.getMessage('INBOX', 2)?.emailId ?? '';
  expect(s.locate(id)).toEqual([{ folder: 'INBOX', uid: 2 }]);
  s.copy('INBOX', [2], 'Archive');
  expect(s.locate(id)).toEqual([
    { folder: 'INBOX', uid: 2 },
    { folder: 'Archive', uid: 1 },
  ]);
  s.move('INBOX', [2], 'Trash');
  expect(
    s
      .locate(id)
      .map((l) => l.folder)
      .sort(),
  ).toEqual(['Archive', 'Trash']);
  s.store('Archive', [1], { mode: 'add', flags: ['\\Deleted'] });
  s.expunge('Archive', [1]);
  expect(s.locate(id)).toEqual([{ folder: 'Trash', uid: 1 }]);
  expect(s.locate(s.getMessage('INBOX', 1)?.emailId ?? '')).toEqual([{ folder: 'INBOX', uid: 1 }]);
  expect(s.locate('M000000000000000000000000')).toEqual([]);
});
