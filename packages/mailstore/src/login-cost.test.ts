import { AuthenticationError } from '@mailyard/errors';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type TestStore, testStore } from '../test/fixtures.js';
import { DEFAULT_KDF, kdfRunCount } from './keys.js';

/** A cost no other test in this file uses, so the counter moves only for what each test does. */
const CONFIGURED = { N: 2048, r: 4, p: 1 };

let t: TestStore;
beforeEach(async () => {
  t = await testStore({ kdf: CONFIGURED });
});
afterEach(() => t.cleanup());

test('simulateUnlock runs the configured scrypt once, like a wrong password on a real mailbox', async () => {
  await t.store.createMailbox('m', 'right');
  const before = kdfRunCount(CONFIGURED);
  await expect(t.store.open('m', 'wrong')).rejects.toBeInstanceOf(AuthenticationError);
  const wrongPassword = kdfRunCount(CONFIGURED) - before;
  const defaultRuns = kdfRunCount(DEFAULT_KDF);
  await t.store.simulateUnlock('anything');
  const simulated = kdfRunCount(CONFIGURED) - before - wrongPassword;
  expect(wrongPassword).toBe(1);
  expect(simulated).toBe(wrongPassword);
  expect(kdfRunCount(DEFAULT_KDF)).toBe(defaultRuns);
});

test('simulateUnlock resolves for any password, the right one of a real mailbox included', async () => {
  await t.store.createMailbox('m', 'right');
  await expect(t.store.simulateUnlock('right')).resolves.toBeUndefined();
  await expect(t.store.simulateUnlock('')).resolves.toBeUndefined();
});

test('opening a mailbox that does not exist costs the same scrypt as a wrong password', async () => {
  const before = kdfRunCount(CONFIGURED);
  await expect(t.store.open('nobody', 'x')).rejects.toBeInstanceOf(AuthenticationError);
  expect(kdfRunCount(CONFIGURED) - before).toBe(1);
});
