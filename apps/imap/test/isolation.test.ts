/**
 * Isolation: one mailbox's session can never read, search, copy into or hear about another mailbox, whatever
 * names it sends. Two users with identical folder names, each with a secret message.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, message, startHarness, statusOf, type TestUser } from './harness.js';
import { loginWire, type WireClient } from './wire-client.js';

let h: Harness;
let alice: TestUser;
let bob: TestUser;
let wire: WireClient;

beforeAll(async () => {
  h = await startHarness();
  alice = await h.addUser('alice');
  bob = await h.addUser('bob');
  const bobClient = await h.client(bob);
  await bobClient.append('INBOX', message('bob secret', 'bobs-private-words'));
  await bobClient.mailboxCreate('Shared');
  await bobClient.logout();
  const aliceClient = await h.client(alice);
  await aliceClient.append('INBOX', message('alice note', 'alice words'));
  await aliceClient.logout();
  wire = await loginWire(h.port, alice.address, alice.password);
});
afterAll(async () => {
  wire?.close();
  await h?.close();
});

test('LIST shows only the own folders', async () => {
  const list = await wire.command('L1', 'LIST "" "*"');
  expect(list).not.toMatch(/Shared/);
  expect(await wire.command('L2', 'LIST "" "../*"')).not.toMatch(/\* LIST/);
});

test('names that look like another mailbox or path tricks do not reach it', async () => {
  for (const name of [
    bob.mailboxId,
    `${bob.mailboxId}/INBOX`,
    `../${bob.mailboxId}/INBOX`,
    '/INBOX/../Shared',
    'Shared',
  ]) {
    const reply = await wire.command('S1', `SELECT "${name}"`);
    expect(reply).toMatch(/^S1 NO/m);
  }
  expect(await wire.command('S2', `STATUS "${bob.mailboxId}" (MESSAGES)`)).toMatch(/^S2 NO/m);
});

test('SEARCH and FETCH see only the own messages', async () => {
  await wire.command('S3', 'SELECT INBOX');
  expect(await wire.command('Q1', 'SEARCH TEXT bobs-private-words')).toMatch(/^\* SEARCH\r\n/m);
  const all = await wire.command('Q2', 'FETCH 1:* (BODY.PEEK[])');
  expect(all).toContain('alice words');
  expect(all).not.toContain('bobs-private-words');
  expect(await wire.command('Q3', 'UID FETCH 1:999 (UID)')).toMatch(/^\* 1 FETCH \(UID 1\)\r\nQ3 OK/m);
});

test('COPY and MOVE cannot target another mailbox', async () => {
  expect(await wire.command('C1', 'COPY 1 Shared')).toMatch(/^C1 NO \[TRYCREATE\]/m);
  expect(await wire.command('C2', `COPY 1 "${bob.mailboxId}/INBOX"`)).toMatch(/^C2 NO/m);
  const bobClient = await h.client(bob);
  expect((await statusOf(bobClient, 'INBOX', { messages: true })).messages).toBe(1);
  await bobClient.logout();
});

test("no notification of another mailbox's changes", async () => {
  wire.send('I1 IDLE\r\n');
  await wire.readUntil(/^\+ /);
  await h.mailstore.deliver(bob.mailboxId, message('for bob only'));
  const bobClient = await h.client(bob);
  await bobClient.mailboxOpen('INBOX');
  await bobClient.messageFlagsAdd('1:*', ['\\Seen']);
  await bobClient.logout();
  // Time on purpose: nothing may arrive, and a wrong notification would within a few 50 ms notify polls.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(wire.buffer).toBe('');
  wire.send('DONE\r\n');
  await wire.readUntil(/^I1 OK/);
});

test('no code bugs were logged', () => {
  expect(h.codeBugs()).toEqual([]);
});
