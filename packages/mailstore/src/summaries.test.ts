import { expect } from 'vitest';
import { mailboxTest as test, textMessage } from '../test/fixtures.js';

test('summaries: the listed rows of some UIDs with EMAILID, THREADID and envelope, in UID order', async ({ s }) => {
  await s.append('INBOX', textMessage(), { flags: ['\\Seen', '$Label1'] });
  await s.append('INBOX', textMessage());
  const [first, second] = s.summaries('INBOX', [2, 1, 99]);
  expect([first?.uid, second?.uid]).toEqual([1, 2]);
  const full = s.getMessage('INBOX', 1);
  expect(first).toMatchObject({
    flags: ['\\Seen', '$Label1'],
    emailId: full?.emailId,
    threadObjectId: full?.threadObjectId,
    size: full?.size,
    internalDate: full?.internalDate,
    envelope: full?.envelope,
  });
  expect(s.summaries('INBOX', [])).toEqual([]);
});
