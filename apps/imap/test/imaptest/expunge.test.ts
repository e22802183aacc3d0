/**
 * imaptest group "expunge" (RFC 3501 §7.4.1, RFC 9051 §7.5.1): no EXPUNGE after FETCH, STORE or SEARCH (their
 * UID forms may have it); EXPUNGE of several messages numbers each reply as the client's view stands then;
 * UID EXPUNGE removes only the named messages (RFC 4315 §2.1).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('expunge');
  const wire = await f.session();
  for (let i = 1; i <= 8; i++) await appendWire(wire, 'A', 'INBOX', message(`m${i}`));
});
afterAll(async () => f?.close());

test('FETCH and STORE hold expunges back; UID FETCH and NOOP deliver them', async () => {
  const wire = await f.session('INBOX');
  const other = await f.session('INBOX');
  await other.command('X1', 'UID STORE 1 +FLAGS.SILENT (\\Deleted)');
  await other.command('X2', 'UID EXPUNGE 1');
  expect(await wire.command('F1', 'FETCH 1:* (UID)')).not.toMatch(/EXPUNGE/);
  expect(await wire.command('F2', 'STORE 2 +FLAGS.SILENT (\\Seen)')).not.toMatch(/EXPUNGE/);
  expect(await wire.command('F3', 'UID FETCH 2 (UID)')).toMatch(/^\* 1 EXPUNGE\r\n/m);
  expect(await wire.command('F4', 'NOOP')).not.toMatch(/EXPUNGE/);
});

test('EXPUNGE of several messages: each reply numbered in the view as it stands', async () => {
  const wire = await f.session('INBOX');
  // The view is 2..8 (UIDs); sequence numbers 2, 4 and 5 are UIDs 3, 5 and 6.
  await wire.command('D1', 'STORE 2,4:5 +FLAGS.SILENT (\\Deleted)');
  const reply = await wire.command('D2', 'EXPUNGE');
  expect(reply).toMatch(/^\* 5 EXPUNGE\r\n\* 4 EXPUNGE\r\n\* 2 EXPUNGE\r\nD2 OK/m);
  expect(await wire.command('D3', 'FETCH 1:* (UID)')).toMatch(
    /^\* 1 FETCH \(UID 2\)\r\n\* 2 FETCH \(UID 4\)\r\n\* 3 FETCH \(UID 7\)\r\n\* 4 FETCH \(UID 8\)\r\nD3 OK/m,
  );
});

test('UID EXPUNGE removes only the named \\Deleted messages', async () => {
  const wire = await f.session('INBOX');
  await wire.command('U1', 'UID STORE 7:8 +FLAGS.SILENT (\\Deleted)');
  expect(await wire.command('U2', 'UID EXPUNGE 8')).toMatch(/^\* 4 EXPUNGE\r\nU2 OK/m);
  expect(await wire.command('U3', 'UID SEARCH DELETED')).toMatch(/^\* SEARCH 7\r\n/m);
});
