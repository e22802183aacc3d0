/** The inactivity timeout (imap.idleTimeoutMs; 30 minutes by default, RFC 9051 §5.4) for commands and IDLE. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire } from './wire-client.js';

const TIMEOUT_MS = 400;
let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness({ imap: { idleTimeoutMs: TIMEOUT_MS } });
  user = await h.addUser('timeouts');
});
afterAll(async () => h?.close());

test('a silent connection is logged out', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  const started = Date.now();
  expect(await wire.readUntil(/^\* BYE/, 3000)).toMatch(/^\* BYE Idle timeout/m);
  expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  await wire.closed();
});

test('an IDLE that lasts past the limit ends with BYE', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  await wire.command('S1', 'SELECT INBOX');
  wire.send('I1 IDLE\r\n');
  await wire.readUntil(/^\+ /);
  expect(await wire.readUntil(/^\* BYE/, 3000)).toMatch(/^\* BYE/m);
  await wire.closed();
});
