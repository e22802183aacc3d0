import { afterAll, beforeAll, expect, test } from 'vitest';
import { fetchOne, type Harness, message, startHarness, type TestUser } from './harness.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('smoke');
});
afterAll(async () => h?.close());

test('login, append, select, fetch', async () => {
  const client = await h.client(user);
  const appended = await client.append('INBOX', message('hello'), ['\\Seen']);
  expect(appended).toMatchObject({ uid: 1 });
  const box = await client.mailboxOpen('INBOX');
  expect(box.exists).toBe(1);
  const fetched = await fetchOne(client, '1', {
    uid: true,
    flags: true,
    envelope: true,
    source: true,
    bodyStructure: true,
  });
  expect(fetched.envelope?.subject).toBe('hello');
  expect(fetched.source?.toString()).toBe(
    message('hello')
      .toString()
      .replace(/Message-ID: .*\r\n/, fetched.source?.toString().match(/Message-ID: .*\r\n/)?.[0] ?? ''),
  );
  expect(h.codeBugs()).toEqual([]);
});
