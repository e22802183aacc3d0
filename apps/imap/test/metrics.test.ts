/**
 * IMAP's protocol metrics move when their events happen, read from the catalogue as /metrics would serve them:
 * commands by name and result with their duration, open connections, failed logins, and the byte budget an APPEND
 * literal holds while it arrives.
 */
import { readMetric } from '@mailyard/monitor';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire, openWire } from './wire-client.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('metrics');
});
afterAll(async () => h?.close());

const command = (name: string, result: string) => ({ protocol: 'imap', command: name, result });

test('commands by name and result, with their duration; unknown names count as UNKNOWN', async () => {
  const noop = await readMetric('mailyard_commands_total', command('NOOP', 'ok'));
  const noopSeconds = await readMetric('mailyard_command_seconds', command('NOOP', 'ok'));
  const unknown = await readMetric('mailyard_commands_total', command('UNKNOWN', 'bad'));
  const missing = await readMetric('mailyard_commands_total', command('SELECT', 'no'));
  const wire = await loginWire(h.port, user.address, user.password);
  expect(await wire.command('N1', 'NOOP')).toMatch(/^N1 OK/m);
  expect(await wire.command('X1', 'XYZZY')).toMatch(/^X1 BAD/m);
  expect(await wire.command('S1', 'SELECT "No such folder"')).toMatch(/^S1 NO/m);
  expect(await readMetric('mailyard_commands_total', command('NOOP', 'ok'))).toBe(noop + 1);
  expect(await readMetric('mailyard_command_seconds', command('NOOP', 'ok'))).toBe(noopSeconds + 1);
  expect(await readMetric('mailyard_commands_total', command('UNKNOWN', 'bad'))).toBe(unknown + 1);
  expect(await readMetric('mailyard_commands_total', command('SELECT', 'no'))).toBe(missing + 1);
  wire.close();
});

test('open connections and failed logins', async () => {
  const failures = await readMetric('mailyard_auth_failures_total', { protocol: 'imap' });
  await waitFor(() => h.server.connections.size === 0); // the previous test's connection has gone
  const before = await readMetric('mailyard_connections', { protocol: 'imap' });
  const wire = await openWire(h.port);
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'imap' })) === before + 1);
  expect(await wire.command('L1', `LOGIN ${user.address} wrong`)).toMatch(/^L1 NO/m);
  expect(await readMetric('mailyard_auth_failures_total', { protocol: 'imap' })).toBe(failures + 1);
  wire.close();
  await waitFor(async () => (await readMetric('mailyard_connections', { protocol: 'imap' })) === before);
});

test('byte budget in use while an APPEND literal arrives, back when it is stored', async () => {
  const before = await readMetric('mailyard_byte_budget_in_use_bytes');
  const wire = await loginWire(h.port, user.address, user.password);
  const body = `Subject: metrics\r\n\r\n${'x'.repeat(5000)}`;
  wire.send(`A1 APPEND INBOX {${body.length}}\r\n`);
  await wire.readUntil(/^\+ /);
  expect(await readMetric('mailyard_byte_budget_in_use_bytes')).toBe(before + body.length);
  wire.send(`${body}\r\n`);
  expect(await wire.readUntil(/^A1 /)).toMatch(/^A1 OK/m);
  expect(await readMetric('mailyard_byte_budget_in_use_bytes')).toBe(before);
  wire.close();
});
