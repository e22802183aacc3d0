/** APPEND, STORE, COPY, MOVE, EXPUNGE, UID EXPUNGE, CLOSE, UNSELECT, EXAMINE, CONDSTORE on STORE. */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { fetchOne, type Harness, message, startHarness, statusOf, type TestUser, withoutRecent } from './harness.js';
import { loginWire } from './wire-client.js';

let h: Harness;
let user: TestUser;
let client: ImapFlow;
let folderCount = 0;
let folder = '';

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('messages');
  client = await h.client(user);
});
afterAll(async () => h?.close());

/** Each test works in a fresh folder holding three messages (uids 1..3). */
beforeEach(async () => {
  folder = `Box${++folderCount}`;
  await client.mailboxCreate(folder);
  for (const subject of ['first', 'second', 'third']) await client.append(folder, message(subject));
});

test('APPEND answers APPENDUID and keeps flags and internal date', async () => {
  const date = new Date('2025-03-04T05:06:07Z');
  const result = await client.append(folder, message('dated'), ['\\Flagged', '$Custom'], date);
  expect(result).toMatchObject({ uid: 4 });
  expect(Number(result ? result.uidValidity : 0)).toBeGreaterThan(0);
  await client.mailboxOpen(folder);
  const fetched = await fetchOne(client, '4', { uid: true, flags: true, internalDate: true }, { uid: true });
  expect(withoutRecent(fetched.flags)).toEqual(['$Custom', '\\Flagged']);
  expect(new Date(fetched.internalDate ?? 0).toISOString()).toBe(date.toISOString());
});

test('APPEND to a missing folder answers TRYCREATE', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  wire.send('A1 APPEND Missing {5}\r\n');
  const reply = await wire.readUntil(/^(\+|A1 )/);
  if (reply.startsWith('+')) wire.send('hello\r\n');
  expect(reply + (reply.startsWith('+') ? await wire.readUntil(/^A1 /) : '')).toMatch(/^A1 NO \[TRYCREATE\]/m);
  wire.close();
});

test('STORE set, add, remove and silent', async () => {
  await client.mailboxOpen(folder);
  await client.messageFlagsSet('1', ['\\Seen', 'Work']);
  await client.messageFlagsAdd('1', ['\\Answered']);
  await client.messageFlagsRemove('1', ['Work']);
  const one = await fetchOne(client, '1', { flags: true });
  expect(withoutRecent(one.flags)).toEqual(['\\Answered', '\\Seen']);
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('S0', `SELECT ${folder}`);
  const silent = await wire.command('S1', 'STORE 2 +FLAGS.SILENT (\\Flagged)');
  expect(silent).not.toMatch(/FETCH/);
  expect(await wire.command('S2', 'STORE 2 -FLAGS (\\Flagged)')).toMatch(/^\* 2 FETCH \(FLAGS \(\)\)/m);
  wire.close();
});

test('STORE UNCHANGEDSINCE reports MODIFIED for changed messages (RFC 7162 §3.1.3)', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  const select = await wire.command('S0', `SELECT ${folder} (CONDSTORE)`);
  const highest = Number(/HIGHESTMODSEQ (\d+)/.exec(select)?.[1]);
  expect(highest).toBeGreaterThan(0);
  const first = await wire.command('S1', `UID STORE 1 (UNCHANGEDSINCE ${highest}) +FLAGS (\\Seen)`);
  expect(first).toMatch(/^\* 1 FETCH \(UID 1 FLAGS \(\\Seen( \\Recent)?\) MODSEQ \(\d+\)\)/m);
  const second = await wire.command('S2', `UID STORE 1 (UNCHANGEDSINCE ${highest}) +FLAGS (\\Flagged)`);
  expect(second).toMatch(/^S2 OK \[MODIFIED 1\]/m);
  wire.close();
});

test('COPY answers COPYUID and leaves the source', async () => {
  await client.mailboxCreate(`${folder}-copy`);
  await client.mailboxOpen(folder);
  const result = await client.messageCopy('1:2', `${folder}-copy`);
  expect([...(result ? (result.uidMap?.entries() ?? []) : [])]).toEqual([
    [1, 1],
    [2, 2],
  ]);
  expect((await statusOf(client, folder, { messages: true })).messages).toBe(3);
  expect((await statusOf(client, `${folder}-copy`, { messages: true })).messages).toBe(2);
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('C0', `SELECT ${folder}`);
  expect(await wire.command('C1', 'COPY 1 Nowhere')).toMatch(/^C1 NO \[TRYCREATE\]/m);
  wire.close();
});

test('MOVE expunges from the source with EXPUNGE before the tagged OK', async () => {
  await client.mailboxCreate(`${folder}-moved`);
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('M0', `SELECT ${folder}`);
  const reply = await wire.command('M1', `UID MOVE 2 ${folder}-moved`);
  // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGEs, so the client can map UIDs first.
  expect(reply).toMatch(/^\* OK \[COPYUID \d+ 2 1\][^\r]*\r\n\* 2 EXPUNGE\r\nM1 OK/m);
  expect(await wire.command('M2', 'FETCH 1:* (UID)')).toMatch(/^\* 2 FETCH \(UID 3\)/m);
  wire.close();
});

test('EXPUNGE removes \\Deleted messages with sequence numbers that stay right', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('E0', `SELECT ${folder}`);
  await wire.command('E1', 'STORE 1,3 +FLAGS.SILENT (\\Deleted)');
  const reply = await wire.command('E2', 'EXPUNGE');
  expect(reply.match(/^\* \d+ EXPUNGE/gm)).toHaveLength(2);
  expect(await wire.command('E3', 'FETCH 1:* (UID)')).toMatch(/^\* 1 FETCH \(UID 2\)\r\nE3 OK/m);
  wire.close();
});

test('UID EXPUNGE removes only the given \\Deleted messages (RFC 4315 §2.1)', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('U0', `SELECT ${folder}`);
  await wire.command('U1', 'STORE 1:3 +FLAGS.SILENT (\\Deleted)');
  expect(await wire.command('U2', 'UID EXPUNGE 2')).toMatch(/^\* 2 EXPUNGE\r\nU2 OK/m);
  expect((await wire.command('U3', 'SEARCH ALL')).trim()).toMatch(/^\* SEARCH 1 2$/m);
  wire.close();
});

test('CLOSE expunges silently; UNSELECT and EXAMINE do not expunge', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('X0', `SELECT ${folder}`);
  await wire.command('X1', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
  expect(await wire.command('X2', 'UNSELECT')).toMatch(/^X2 OK/m);
  const examine = await wire.command('X3', `EXAMINE ${folder}`);
  expect(examine).toMatch(/^\* 3 EXISTS/m);
  expect(examine).toMatch(/^X3 OK \[READ-ONLY\]/m);
  expect(await wire.command('X4', 'CLOSE')).toMatch(/^X4 OK/m);
  await wire.command('X5', `SELECT ${folder}`);
  expect(await wire.command('X6', 'CLOSE')).not.toMatch(/EXPUNGE/);
  expect(await wire.command('X7', `STATUS ${folder} (MESSAGES)`)).toMatch(/MESSAGES 2/);
  wire.close();
});

test('no code bugs were logged', () => {
  expect(h.codeBugs()).toEqual([]);
});
