/**
 * imaptest group "append" (RFC 9051 §6.3.12, §7.4.1; RFC 3501 §6.3.11): APPEND into the selected folder is
 * followed by `* n EXISTS` before its tagged OK and the new message can be fetched; another session's APPEND
 * shows up at the next NOOP with the right count; an impossible date-time is BAD (issue 12 item 12).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('append');
});
afterAll(async () => f?.close());

test('APPEND into the selected folder sends EXISTS before the tagged OK; FETCH of it works', async () => {
  const wire = await f.session('INBOX');
  const reply = await appendWire(wire, 'A1', 'INBOX', message('mine'));
  expect(reply).toMatch(/^\* 1 EXISTS\r\n(\* 1 RECENT\r\n)?A1 OK \[APPENDUID \d+ 1\]/m);
  expect(await wire.command('F1', 'FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).toMatch(/Subject: mine/);
});

test('NOOP after another session APPENDed reports the new EXISTS count', async () => {
  const wire = await f.session('INBOX');
  const other = await f.session();
  await appendWire(other, 'A2', 'INBOX', message('theirs'));
  await appendWire(other, 'A3', 'INBOX', message('theirs too'));
  const reply = await wire.command('N1', 'NOOP');
  expect(reply).toMatch(/^\* 3 EXISTS\r\n/m);
  expect(reply.match(/EXISTS/g)).toHaveLength(1);
});

test('APPEND with a date-time: 31-Feb is BAD; a valid one is kept', async () => {
  const wire = await f.session();
  expect(await wire.command('D1', 'APPEND INBOX "31-Feb-2026 10:00:00 +0000" {5+}\r\nhello')).toMatch(/^D1 BAD/m);
  expect(await wire.command('D2', 'APPEND INBOX "1-Mar-2026 25:00:00 +0000" {5+}\r\nhello')).toMatch(/^D2 BAD/m);
  const ok = await appendWire(wire, 'D3', 'INBOX', message('dated'), ' (\\Seen) " 2-Mar-2026 10:00:00 +0100"');
  expect(ok).toMatch(/^D3 OK \[APPENDUID \d+ (\d+)\]/m);
  const uid = /APPENDUID \d+ (\d+)/.exec(ok)?.[1];
  await wire.command('S', 'SELECT INBOX');
  expect(await wire.command('D4', `UID FETCH ${uid} (INTERNALDATE FLAGS)`)).toMatch(
    /INTERNALDATE " 2-Mar-2026 09:00:00 \+0000" FLAGS \(\\Seen/,
  );
});

test('APPEND to a missing folder: NO [TRYCREATE]', async () => {
  const wire = await f.session();
  expect(await wire.command('T1', 'APPEND Nowhere {5+}\r\nhello')).toMatch(/^T1 NO \[TRYCREATE\]/m);
});
