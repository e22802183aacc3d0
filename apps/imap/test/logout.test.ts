/**
 * LOGOUT (RFC 9051 §6.1.3) answers plainly in every state: exactly `* BYE Logging out`, then the tagged
 * `OK LOGOUT completed`, then the server closes the connection (no protocol-library joke strings).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire, openWire } from './wire-client.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('logout');
});
afterAll(async () => h?.close());

const PLAIN_LOGOUT = '* BYE Logging out\r\nQ1 OK LOGOUT completed\r\n';

test('before login: the plain BYE and OK, then the server closes', async () => {
  const wire = await openWire(h.port);
  expect(await wire.command('Q1', 'LOGOUT')).toBe(PLAIN_LOGOUT);
  await wire.closed();
});

test('authenticated and selected: the same plain reply', async () => {
  const authenticated = await loginWire(h.port, user.address, user.password);
  expect(await authenticated.command('Q1', 'LOGOUT')).toBe(PLAIN_LOGOUT);
  await authenticated.closed();
  const selected = await loginWire(h.port, user.address, user.password);
  expect(await selected.command('S1', 'SELECT INBOX')).toMatch(/^S1 OK/m);
  expect(await selected.command('Q1', 'LOGOUT')).toBe(PLAIN_LOGOUT);
  await selected.closed();
});
