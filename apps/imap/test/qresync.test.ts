/** QRESYNC (RFC 7162 §3.2): resynchronisation after changes made while the client was offline; VANISHED. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire } from './wire-client.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('qresync');
  const client = await h.client(user);
  for (const subject of ['one', 'two', 'three']) await client.append('INBOX', message(subject));
  await client.logout();
});
afterAll(async () => h?.close());

test('SELECT (QRESYNC ...) needs ENABLE QRESYNC first', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  expect(await wire.command('Q1', 'SELECT INBOX (QRESYNC (1 1))')).toMatch(/^Q1 BAD/m);
  wire.close();
});

test('resync after offline changes: VANISHED (EARLIER) and changed flags on SELECT and UID FETCH', async () => {
  const first = await loginWire(h.port, user.address, user.password);
  expect(await first.command('E1', 'ENABLE QRESYNC')).toMatch(/^\* ENABLED QRESYNC/m);
  const select = await first.command('S1', 'SELECT INBOX');
  const uidValidity = Number(/UIDVALIDITY (\d+)/.exec(select)?.[1]);
  const modseq = Number(/HIGHESTMODSEQ (\d+)/.exec(select)?.[1]);
  first.close();

  // Offline: another client changes flags on uid 2, expunges uid 1 and appends uid 4.
  const other = await h.client(user);
  await other.mailboxOpen('INBOX');
  await other.messageFlagsAdd('2', ['\\Seen'], { uid: true });
  await other.messageDelete('1', { uid: true });
  await other.append('INBOX', message('four'));
  await other.logout();

  const again = await loginWire(h.port, user.address, user.password);
  await again.command('E2', 'ENABLE QRESYNC');
  const resync = await again.command('S2', `SELECT INBOX (QRESYNC (${uidValidity} ${modseq} 1:3))`);
  expect(resync).toMatch(/^\* VANISHED \(EARLIER\) 1$/m);
  expect(resync).toMatch(/^\* 1 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/m);
  expect(resync).not.toMatch(/UID 3 FLAGS/);
  expect(resync).toMatch(/^S2 OK \[READ-WRITE\]/m);

  const fetch = await again.command('F1', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`);
  expect(fetch).toMatch(/^\* VANISHED \(EARLIER\) 1$/m);
  expect(fetch).toMatch(/^\* 1 FETCH \(.*UID 2/m);
  expect(fetch).toMatch(/^\* 3 FETCH \(.*UID 4/m);
  expect(fetch.indexOf('VANISHED')).toBeLessThan(fetch.indexOf('FETCH ('));

  // Once QRESYNC is on, expunges are told as VANISHED, not EXPUNGE (§3.2.10).
  await again.command('D1', 'UID STORE 3 +FLAGS.SILENT (\\Deleted)');
  const expunge = await again.command('D2', 'EXPUNGE');
  expect(expunge).toMatch(/^\* VANISHED 3$/m);
  expect(expunge).not.toMatch(/EXPUNGE\r\n/);
  again.close();
});

test('a mismatched UIDVALIDITY gets no resync data', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('E1', 'ENABLE QRESYNC');
  const reply = await wire.command('S1', 'SELECT INBOX (QRESYNC (1 1))');
  expect(reply).not.toMatch(/VANISHED|FETCH/);
  expect(reply).toMatch(/^S1 OK/m);
  wire.close();
});

test('VANISHED without CHANGEDSINCE is refused', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('E1', 'ENABLE QRESYNC');
  await wire.command('S1', 'SELECT INBOX');
  expect(await wire.command('F1', 'UID FETCH 1:* (FLAGS) (VANISHED)')).toMatch(/^F1 BAD/m);
  wire.close();
});

test('no code bugs were logged', () => {
  expect(h.codeBugs()).toEqual([]);
});
