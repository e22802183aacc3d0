import { expect } from 'vitest';
import { mailboxTest as test, textMessage } from '../test/fixtures.js';

test('locate finds every copy of an EMAILID, follows moves and expunges, and knows no other id', async ({ s }) => {
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
