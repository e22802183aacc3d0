/**
 * imaptest group "select" and the session basics (RFC 9051 §6.3.2, §7.1; RFC 3501 §6.3.1): UNSEEN, FLAGS
 * and PERMANENTFLAGS with the keywords in use, READ-ONLY for EXAMINE, the greeting's CAPABILITY, STARTTLS
 * only where it can be used, LOGOUT, and a failure that does not leak into the next command.
 */
import { expectCodeBugs } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openWire } from '../wire-client.js';
import { appendWire, type Fixture, fixture, message } from './fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture('select');
  const wire = await f.session();
  await appendWire(wire, 'A', 'INBOX', message('seen'), ' (\\Seen $Work)');
  await appendWire(wire, 'A', 'INBOX', message('unseen'));
});
afterAll(async () => f?.close());

test('SELECT: FLAGS with keywords, EXISTS, RECENT, UNSEEN, PERMANENTFLAGS, UIDVALIDITY, UIDNEXT', async () => {
  const wire = await f.session();
  const reply = await wire.command('S1', 'SELECT INBOX');
  expect(reply).toMatch(/^\* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Work\)\r\n/m);
  expect(reply).toMatch(/^\* 2 EXISTS\r\n\* 2 RECENT\r\n/m);
  expect(reply).toMatch(/^\* OK \[UNSEEN 2\]/m);
  expect(reply).toMatch(/^\* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Work \\\*\)\]/m);
  expect(reply).toMatch(/^\* OK \[UIDVALIDITY \d+\]/m);
  expect(reply).toMatch(/^\* OK \[UIDNEXT 3\]/m);
  expect(reply).toMatch(/^S1 OK \[READ-WRITE\]/m);
});

test('EXAMINE is READ-ONLY with empty PERMANENTFLAGS and leaves \\Recent alone', async () => {
  const first = await f.session();
  await appendWire(first, 'A', 'INBOX', message('new one'));
  const wire = await f.session();
  const reply = await wire.command('E1', 'EXAMINE INBOX');
  expect(reply).toMatch(/^\* 1 RECENT\r\n/m);
  expect(reply).toMatch(/^\* OK \[PERMANENTFLAGS \(\)\]/m);
  expect(reply).toMatch(/^E1 OK \[READ-ONLY\]/m);
  expect(await wire.command('E2', 'STORE 1 +FLAGS (\\Flagged)')).toMatch(/^E2 NO/m);
  // EXAMINE did not take \Recent: the next SELECT gets it.
  expect(await first.command('E3', 'SELECT INBOX')).toMatch(/^\* 1 RECENT\r\n/m);
});

test('the greeting carries the capabilities; STARTTLS only before login on a plain connection', async () => {
  const wire = await openWire(f.h.port);
  wire.close();
  const raw = await openWireRaw();
  expect(raw).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR [^\]]*\] /);
  const tls = await openWire(f.h.tlsPort, { tls: true });
  expect(await tls.command('C1', 'CAPABILITY')).not.toMatch(/STARTTLS/);
  tls.close();
  const logged = await f.session();
  expect(await logged.command('C2', 'CAPABILITY')).not.toMatch(/STARTTLS|AUTH=PLAIN/);
});

async function openWireRaw(): Promise<string> {
  const net = await import('node:net');
  const { wrap } = await import('../wire-client.js');
  const client = wrap(net.connect({ host: '127.0.0.1', port: f.h.port }));
  const greeting = await client.readUntil(/^\* OK/m);
  client.close();
  return greeting;
}

test('LOGOUT answers * BYE Logging out, then the tagged OK, then closes', async () => {
  const wire = await f.session();
  expect(await wire.command('L1', 'LOGOUT')).toMatch(/^\* BYE Logging out\r\nL1 OK/m);
  await wire.closed();
});

test('a failure during CLOSE does not leak into the next SELECT (issue 13)', async () => {
  expectCodeBugs(1);
  const wire = await f.session('INBOX');
  const connection = [...f.h.server.connections].filter((c) => c.session.view).pop();
  const mailbox = connection?.session.mailbox;
  if (!mailbox) throw new Error('no selected session');
  const expunge = mailbox.expunge.bind(mailbox);
  mailbox.expunge = () => {
    throw new TypeError('expunge broke');
  };
  expect(await wire.command('X1', 'CLOSE')).toMatch(/^X1 NO \[SERVERBUG\] Internal server error/m);
  mailbox.expunge = expunge;
  const reply = await wire.command('X2', 'SELECT INBOX');
  expect(reply).toMatch(/^X2 OK \[READ-WRITE\]/m);
  expect(reply).not.toMatch(/SERVERBUG/);
  expect(f.h.codeBugs()).toHaveLength(1);
});

test('RENAME of the selected folder keeps the session working under the new name', async () => {
  const wire = await f.session();
  await wire.command('R0', 'CREATE Renamed-From');
  await wire.command('R1', 'SELECT Renamed-From');
  expect(await wire.command('R2', 'RENAME Renamed-From Renamed-To')).toMatch(/^R2 OK/m);
  expect(await appendWire(wire, 'R3', 'Renamed-To', message('after rename'))).toMatch(/^\* 1 EXISTS/m);
  expect(await wire.command('R5', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).toMatch(/Subject: after rename/);
});

test('a selected folder deleted by another session ends the session with BYE', async () => {
  const wire = await f.session();
  await wire.command('D0', 'CREATE Doomed');
  await wire.command('D1', 'SELECT Doomed');
  const other = await f.session();
  expect(await other.command('D2', 'DELETE Doomed')).toMatch(/^D2 OK/m);
  wire.send('D3 NOOP\r\n');
  expect(await wire.readUntil(/^\* BYE/)).toMatch(/^\* BYE Selected folder was deleted/m);
  await wire.closed();
});
