/**
 * imaptest group "store" (RFC 9051 §6.4.6, RFC 3501 §6.4.6, §7.2.6): STORE on messages another session
 * expunged answers OK with the others updated; a new keyword is announced in `* FLAGS` (and PERMANENTFLAGS)
 * before it is used; `NIL` is not a keyword; keywords per message are capped (issue 12 item 12).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('store');
  const wire = await f.session();
  for (const subject of ['one', 'two', 'three']) await appendWire(wire, 'A', 'INBOX', message(subject));
});
afterAll(async () => f?.close());

test('STORE on a message expunged by another session: OK, the survivors updated', async () => {
  const wire = await f.session('INBOX');
  const other = await f.session('INBOX');
  await other.command('X1', 'STORE 3 +FLAGS.SILENT (\\Deleted)');
  await other.command('X2', 'EXPUNGE');
  const reply = await wire.command('T1', 'STORE 1:3 +FLAGS (\\Flagged)');
  expect(reply).toMatch(/^\* 1 FETCH \(FLAGS \([^)]*\\Flagged[^)]*\)\)/m);
  expect(reply).toMatch(/^\* 2 FETCH \(FLAGS \([^)]*\\Flagged[^)]*\)\)/m);
  expect(reply).not.toMatch(/^\* 3 FETCH/m);
  expect(reply).not.toMatch(/EXPUNGE/);
  expect(reply).toMatch(/^T1 OK/m);
  expect(await wire.command('T2', 'NOOP')).toMatch(/^\* 3 EXPUNGE/m);
});

test('a new keyword comes with a new * FLAGS and PERMANENTFLAGS, before its FETCH', async () => {
  const wire = await f.session('INBOX');
  const other = await f.session('INBOX');
  const reply = await wire.command('K1', 'STORE 1 +FLAGS ($Fresh)');
  expect(reply).toMatch(
    /^\* FLAGS \([^)]*\$Fresh[^)]*\)\r\n\* OK \[PERMANENTFLAGS \([^)]*\$Fresh[^)]*\\\*\)\][^\r]*\r\n\* 1 FETCH \(FLAGS \([^)]*\$Fresh/m,
  );
  // The other session learns the keyword the same way, with the flag change.
  expect(await other.command('K2', 'NOOP')).toMatch(
    /^\* FLAGS \([^)]*\$Fresh[^)]*\)\r\n[\s\S]*\* 1 FETCH \(FLAGS \([^)]*\$Fresh/m,
  );
  // And a later SELECT lists it among the flags in use.
  const again = await f.session();
  expect(await again.command('K3', 'SELECT INBOX')).toMatch(/^\* FLAGS \([^)]*\$Fresh/m);
});

test('NIL is not a keyword; an unknown system flag is BAD', async () => {
  const wire = await f.session('INBOX');
  expect(await wire.command('N1', 'STORE 1 +FLAGS (NIL)')).toMatch(/^N1 BAD/m);
  expect(await wire.command('N2', 'STORE 1 +FLAGS NIL')).toMatch(/^N2 BAD/m);
  expect(await wire.command('N3', 'STORE 1 +FLAGS (\\Bogus)')).toMatch(/^N3 BAD/m);
});

test('keywords per message are capped (issue 12 item 12)', async () => {
  const wire = await f.session('INBOX');
  const many = Array.from({ length: 65 }, (_, i) => `k${i}`).join(' ');
  expect(await wire.command('C1', `STORE 2 +FLAGS (${many})`)).toMatch(/^C1 BAD/m);
  const half = Array.from({ length: 40 }, (_, i) => `a${i}`).join(' ');
  const rest = Array.from({ length: 40 }, (_, i) => `b${i}`).join(' ');
  expect(await wire.command('C2', `STORE 2 +FLAGS.SILENT (${half})`)).toMatch(/^C2 OK/m);
  expect(await wire.command('C3', `STORE 2 +FLAGS.SILENT (${rest})`)).toMatch(/^C3 NO \[LIMIT\]/m);
});

test('STORE .SILENT is not echoed back later as an update', async () => {
  const wire = await f.session('INBOX');
  await wire.command('Q1', 'STORE 1 +FLAGS.SILENT (\\Answered)');
  expect(await wire.command('Q2', 'NOOP')).not.toMatch(/FETCH/);
});
