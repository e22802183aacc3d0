/**
 * \Recent (RFC 3501 §2.3.2; imaptest's recent checks): the first session to select a folder after a message
 * arrived gets it, COPY makes the copies \Recent in the target, and STATUS RECENT counts only messages no
 * session has taken yet.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('recent');
  const wire = await f.session();
  await wire.command('C', 'CREATE Target');
  for (const subject of ['one', 'two']) await appendWire(wire, 'A', 'INBOX', message(subject));
});
afterAll(async () => f?.close());

test('the first SELECT gets \\Recent, the second does not; FETCH FLAGS shows it', async () => {
  const first = await f.session();
  expect(await first.command('S1', 'SELECT INBOX')).toMatch(/^\* 2 RECENT\r\n/m);
  expect(await first.command('F1', 'FETCH 1 FLAGS')).toMatch(/^\* 1 FETCH \(FLAGS \(\\Recent\)\)/m);
  const second = await f.session();
  expect(await second.command('S2', 'SELECT INBOX')).toMatch(/^\* 0 RECENT\r\n/m);
  expect(await second.command('F2', 'FETCH 1 FLAGS')).toMatch(/^\* 1 FETCH \(FLAGS \(\)\)/m);
});

test('a message arriving while a session has the folder selected is \\Recent for that session', async () => {
  const owner = await f.session('INBOX');
  const other = await f.session();
  await appendWire(other, 'A', 'INBOX', message('three'));
  expect(await owner.command('N1', 'NOOP')).toMatch(/^\* 3 EXISTS\r\n\* 1 RECENT\r\n/m);
  expect(await owner.command('N2', 'SEARCH RECENT')).toMatch(/^\* SEARCH 3\r\n/m);
});

test('COPY marks the copies \\Recent in the target; STATUS RECENT counts them until a session takes them', async () => {
  const source = await f.session('INBOX');
  expect(await source.command('C1', 'COPY 1:2 Target')).toMatch(/^C1 OK \[COPYUID/m);
  expect(await source.command('C2', 'STATUS Target (RECENT MESSAGES)')).toMatch(/\(RECENT 2 MESSAGES 2\)/);
  const target = await f.session();
  expect(await target.command('S1', 'SELECT Target')).toMatch(/^\* 2 RECENT\r\n/m);
  expect(await source.command('C3', 'STATUS Target (RECENT)')).toMatch(/\(RECENT 0\)/);
});
