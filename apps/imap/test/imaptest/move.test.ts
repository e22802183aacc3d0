/**
 * imaptest group "move" (RFC 6851): `* OK [COPYUID ...]` before the EXPUNGEs; a MOVE into the selected folder
 * itself is told as EXPUNGE plus EXISTS, and the moved message can be fetched by its new number.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('move');
  const wire = await f.session();
  await wire.command('C', 'CREATE Target');
  for (const subject of ['one', 'two', 'three']) await appendWire(wire, 'A', 'INBOX', message(subject));
});
afterAll(async () => f?.close());

test('MOVE: COPYUID first, then EXPUNGE, then the tagged OK (RFC 6851 §4.3)', async () => {
  const wire = await f.session('INBOX');
  const reply = await wire.command('M1', 'MOVE 2 Target');
  expect(reply).toMatch(/^\* OK \[COPYUID \d+ 2 1\][^\r]*\r\n\* 2 EXPUNGE\r\nM1 OK/m);
});

test('MOVE into the selected folder: EXPUNGE and EXISTS, and FETCH finds the message', async () => {
  const wire = await f.session('INBOX');
  const reply = await wire.command('M2', 'UID MOVE 1 INBOX');
  expect(reply).toMatch(/^\* OK \[COPYUID \d+ 1 (\d+)\]/m);
  expect(reply).toMatch(/^\* 1 EXPUNGE\r\n/m);
  expect(reply).toMatch(/^\* 2 EXISTS\r\n/m);
  const newUid = /COPYUID \d+ 1 (\d+)/.exec(reply)?.[1];
  expect(await wire.command('M3', 'FETCH 2 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).toMatch(
    new RegExp(
      `^\\* 2 FETCH \\(UID ${newUid} BODY\\[HEADER\\.FIELDS \\(SUBJECT\\)\\] \\{\\d+\\}\\r\\nSubject: one`,
      'm',
    ),
  );
});

test('another session sees the MOVE as EXPUNGE at its next NOOP', async () => {
  const watcher = await f.session('Target');
  const mover = await f.session('Target');
  await mover.command('M4', 'MOVE 1 INBOX');
  expect(await watcher.command('N1', 'NOOP')).toMatch(/^\* 1 EXPUNGE\r\n/m);
});
