/**
 * imaptest group "fetch" (RFC 9051 §6.4.5, §7.5.2; RFC 3501 §7.4.2): sequence sets like `1,*`, RFC822.TEXT
 * setting \Seen, and ENVELOPE keeping address groups.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('fetch');
  const wire = await f.session();
  for (const subject of ['one', 'two', 'three']) await appendWire(wire, 'A', 'INBOX', message(subject));
  const group = message(
    'group',
    'Body',
    'Cc: undisclosed-recipients:;\r\nBcc: team: ann@example.test, bob@example.test;',
  );
  await appendWire(wire, 'A', 'INBOX', group);
});
afterAll(async () => f?.close());

test('FETCH 1,* UID (was BAD "Unexpected whitespace" [E28])', async () => {
  const wire = await f.session('INBOX');
  const reply = await wire.command('F1', 'FETCH 1,* UID');
  expect(reply).toMatch(/^\* 1 FETCH \(UID 1\)\r\n\* 4 FETCH \(UID 4\)\r\nF1 OK/m);
});

test('RFC822.TEXT sets \\Seen and reports FLAGS (RFC 3501 §6.4.5)', async () => {
  const wire = await f.session('INBOX');
  const reply = await wire.command('F2', 'FETCH 2 RFC822.TEXT');
  expect(reply).toMatch(/^\* 2 FETCH \(RFC822\.TEXT \{\d+\}\r\nHello there\.\r\n FLAGS \([^)]*\\Seen[^)]*\)\)/m);
  expect(await wire.command('F3', 'FETCH 2 FLAGS')).toMatch(/^\* 2 FETCH \(FLAGS \([^)]*\\Seen/m);
});

test('RFC822.HEADER and BODY.PEEK do not set \\Seen', async () => {
  const wire = await f.session('INBOX');
  await wire.command('F4', 'FETCH 3 (RFC822.HEADER BODY.PEEK[TEXT])');
  expect(await wire.command('F5', 'FETCH 3 FLAGS')).not.toMatch(/\\Seen/);
});

test('ENVELOPE keeps groups, empty ones too (RFC 3501 §7.4.2)', async () => {
  const wire = await f.session('INBOX');
  const reply = await wire.command('F6', 'FETCH 4 ENVELOPE');
  // cc: `undisclosed-recipients:;` is a group start and end with no members.
  expect(reply).toContain('((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))');
  // bcc: start, two members, end.
  expect(reply).toContain(
    '((NIL NIL "team" NIL)(NIL NIL "ann" "example.test")(NIL NIL "bob" "example.test")(NIL NIL NIL NIL))',
  );
});

test('BODY[HEADER.FIELDS (SUBJECT)] and a partial BODY[]<0.10>', async () => {
  const wire = await f.session('INBOX');
  const reply = await wire.command('F7', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[]<0.10>)');
  expect(reply).toMatch(/BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: one\r\n\r\n/);
  expect(reply).toMatch(/BODY\[\]<0> \{10\}\r\nFrom: Send\)/);
});
