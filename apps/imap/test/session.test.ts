/** NOOP, CHECK, ID, ENABLE, COMPRESS=DEFLATE, UTF8=ACCEPT, LOGOUT, and a hook failure answering SERVERBUG. */
import { expectCodeBugs } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fetchOne, type Harness, message, startHarness, type TestUser } from './harness.js';
import { loginWire } from './wire-client.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('session');
});
afterAll(async () => h?.close());

test('NOOP, CHECK, ID and LOGOUT', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  expect(await wire.command('N1', 'NOOP')).toMatch(/^N1 OK/m);
  await wire.command('N2', 'SELECT INBOX');
  expect(await wire.command('N3', 'CHECK')).toMatch(/^N3 OK/m);
  expect(await wire.command('N4', 'ID ("name" "test")')).toMatch(/^\* ID \("name" "Mailyard"/m);
  expect(await wire.command('N5', 'LOGOUT')).toMatch(/^\* BYE[\s\S]*N5 OK/m);
  await wire.closed();
});

test('ENABLE CONDSTORE QRESYNC UTF8=ACCEPT', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  const reply = await wire.command('E1', 'ENABLE CONDSTORE QRESYNC UTF8=ACCEPT X-UNKNOWN');
  expect(reply).toMatch(/^\* ENABLED CONDSTORE QRESYNC UTF8=ACCEPT\r\nE1 OK/m);
  wire.close();
});

test('UTF8=ACCEPT: folder names as UTF-8 (RFC 6855)', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('U1', 'ENABLE UTF8=ACCEPT');
  const name = Buffer.from('Ärger', 'utf8').toString('binary');
  expect(await wire.command('U2', `CREATE "${name}"`)).toMatch(/^U2 OK/m);
  expect(await wire.command('U3', 'LIST "" "*"')).toContain(`"${name}"`);
  wire.close();
  const client = await h.client(user);
  expect((await client.list()).map((f) => f.path)).toContain('Ärger');
  await client.logout();
});

test('COMPRESS=DEFLATE through imapflow', async () => {
  const client = await h.client(user, { disableCompression: false });
  await client.append('INBOX', message('compressed'));
  const box = await client.mailboxOpen('INBOX');
  expect(box.exists).toBeGreaterThan(0);
  const last = await fetchOne(client, '*', { envelope: true });
  expect(last.envelope?.subject).toBe('compressed');
  await client.logout();
});

test('a hook failure answers NO [SERVERBUG] without detail and logs the code bug', async () => {
  expectCodeBugs(1);
  const wire = await loginWire(h.port, user.address, user.password);
  const connection = [...h.server.connections].filter((c) => c.session.user).pop();
  const mailbox = connection?.session.mailbox;
  if (!mailbox) throw new Error('no logged-in connection');
  mailbox.status = () => {
    throw new TypeError('secret internal detail');
  };
  const reply = await wire.command('B1', 'STATUS INBOX (MESSAGES)');
  expect(reply).toMatch(/^B1 NO \[SERVERBUG\] Internal server error/m);
  expect(reply).not.toMatch(/secret/);
  const bugs = h.codeBugs();
  expect(bugs).toHaveLength(1);
  expect(bugs[0]).toMatchObject({ command: 'STATUS', err: { message: 'secret internal detail' } });
  wire.close();
});
