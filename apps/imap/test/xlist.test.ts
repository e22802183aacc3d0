/**
 * XLIST (Gmail's pre-standard folder-role command, replaced by SPECIAL-USE, RFC 6154) is refused, not answered:
 * CAPABILITY does not name it and the command gets BAD, while `LIST (SPECIAL-USE)` gives every client the roles.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire } from './wire-client.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('xlist');
});
afterAll(async () => h?.close());

test('XLIST is neither advertised nor answered; LIST (SPECIAL-USE) carries the folder roles', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  const capability = await wire.command('C1', 'CAPABILITY');
  expect(capability).toMatch(/^\* CAPABILITY .*\bSPECIAL-USE\b/m);
  expect(capability).not.toMatch(/\bXLIST\b/);
  expect(await wire.command('X1', 'XLIST "" "*"')).toMatch(/^X1 BAD Unknown command\r\n$/);
  const list = await wire.command('L1', 'LIST (SPECIAL-USE) "" "*"');
  for (const use of ['\\Drafts', '\\Sent', '\\Archive', '\\Junk', '\\Trash']) expect(list).toContain(use);
  expect(list).toMatch(/^L1 OK/m);
  wire.close();
});
