import { MemoryLocks } from '@mailyard/coordination';
import { waitFor } from '@mailyard/testkit';
import { expect, test } from 'vitest';
import { MaildropLocks } from './maildrop-locks.js';

test('one holder per maildrop; release lets the next in; other maildrops are independent', async () => {
  const maildrops = new MaildropLocks(new MemoryLocks());
  const release = await maildrops.acquire('a');
  expect(release).toBeTypeOf('function');
  expect(await maildrops.acquire('a')).toBeNull();
  const other = await maildrops.acquire('b');
  expect(other).toBeTypeOf('function');
  release?.();
  release?.();
  const next = await maildrops.acquire('a');
  expect(next).toBeTypeOf('function');
  next?.();
  other?.();
});

test('the lease is renewed while the session lasts, well past its first term', async () => {
  const locks = new MemoryLocks();
  const leaseMs = 60;
  const maildrops = new MaildropLocks(locks, undefined, leaseMs);
  const release = await maildrops.acquire('a');
  const started = Date.now();
  // Five lease terms pass (the lock has to be renewed every time), and it is still held.
  await waitFor(async () => Date.now() - started > 5 * leaseMs && (await locks.acquire('pop3-maildrop:a', 1)) === null);
  expect(await locks.acquire('pop3-maildrop:a', 1)).toBeNull();
  release?.();
  expect(await locks.acquire('pop3-maildrop:a', 1)).not.toBeNull();
});
