/**
 * imaptest group "search" (RFC 9051 §6.4.4, RFC 3501 §6.4.4): `*:3` sets, SENT* on the Date header's own
 * day, NEW/OLD/RECENT from the session's \Recent, no EXPUNGE after SEARCH (RFC 3501 §7.4.1), and deep or
 * large programs answered BAD (issue 12 item 8).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('search');
  const wire = await f.session();
  for (const subject of ['one', 'two', 'three', 'four']) await appendWire(wire, 'A', 'INBOX', message(subject));
  // 23:30 on 1 Nov at -0500 is 04:30 on 2 Nov in UTC: SENTON is about the day written, 1 Nov.
  await appendWire(wire, 'A', 'Sent', lateDate());
});
afterAll(async () => f?.close());

function lateDate(): Buffer {
  return Buffer.from('From: a@example.test\r\nSubject: late\r\nDate: Sun, 1 Nov 2026 23:30:00 -0500\r\n\r\nx\r\n');
}

test('SEARCH *:3 (was BAD [E9])', async () => {
  const wire = await f.session('INBOX');
  expect(await wire.command('S1', 'SEARCH *:3')).toMatch(/^\* SEARCH 3 4\r\nS1 OK/m);
});

test('SENTON/SENTBEFORE/SENTSINCE use the date written in the Date header', async () => {
  const wire = await f.session('Sent');
  expect(await wire.command('S2', 'SEARCH SENTON 1-Nov-2026')).toMatch(/^\* SEARCH 1\r\n/m);
  expect(await wire.command('S3', 'SEARCH SENTON 2-Nov-2026')).toMatch(/^\* SEARCH\r\n/m);
  expect(await wire.command('S4', 'SEARCH SENTBEFORE 2-Nov-2026')).toMatch(/^\* SEARCH 1\r\n/m);
  expect(await wire.command('S5', 'SEARCH SENTSINCE 2-Nov-2026')).toMatch(/^\* SEARCH\r\n/m);
});

test('RECENT, NEW and OLD follow the session that got \\Recent (RFC 3501 §2.3.2)', async () => {
  const first = await f.session();
  await appendWire(first, 'A', 'INBOX', message('fresh'));
  const owner = await f.session('INBOX');
  expect(await owner.command('S6', 'SEARCH RECENT')).toMatch(/^\* SEARCH 5\r\n/m);
  expect(await owner.command('S7', 'SEARCH NEW')).toMatch(/^\* SEARCH 5\r\n/m);
  expect(await owner.command('S8', 'SEARCH OLD')).toMatch(/^\* SEARCH 1 2 3 4\r\n/m);
  const other = await f.session('INBOX');
  expect(await other.command('S9', 'SEARCH RECENT')).toMatch(/^\* SEARCH\r\n/m);
});

test('no EXPUNGE after SEARCH; the next NOOP sends it', async () => {
  const wire = await f.session('INBOX');
  const other = await f.session('INBOX');
  await other.command('E1', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
  await other.command('E2', 'EXPUNGE');
  const search = await wire.command('S10', 'SEARCH ALL');
  expect(search).not.toMatch(/EXPUNGE/);
  // Message 1 is gone, so it does not match; the others keep the numbers the client knows.
  expect(search).toMatch(/^\* SEARCH 2 3 4 5\r\n/m);
  expect(await wire.command('S11', 'NOOP')).toMatch(/^\* 1 EXPUNGE\r\n/m);
});

test('5,000 NOTs and 2,000 ORs answer BAD, not SERVERBUG (issue 12 item 8)', async () => {
  const wire = await f.session('INBOX');
  expect(await wire.command('D1', `SEARCH ${'NOT '.repeat(5000)}ALL`)).toMatch(/^D1 BAD/m);
  expect(await wire.command('D2', `SEARCH ${'OR '.repeat(2000)}${'ALL '.repeat(2001)}`)).toMatch(/^D2 BAD/m);
  expect(await wire.command('D3', `SEARCH ${'('.repeat(100)}ALL${')'.repeat(100)}`)).toMatch(/^D3 BAD/m);
  expect(await wire.command('D4', 'SEARCH NOT NOT ALL')).toMatch(/^D4 OK/m);
  expect(f.h.codeBugs()).toEqual([]);
});
