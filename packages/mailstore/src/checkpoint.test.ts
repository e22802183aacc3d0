import { afterEach, beforeEach, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import { type Child, startChild } from '../test/processes.js';
import { DRAIN_WAL_LIMIT_BYTES, walBytes } from './checkpoint.js';
import { mailboxPaths } from './paths.js';

let t: TestStore;
let reader: Child | undefined;
beforeEach(async () => {
  t = await testStore();
  await t.store.createMailbox('m', 'pw');
});
afterEach(async () => {
  reader?.proc.kill('SIGKILL');
  await reader?.exited;
  reader = undefined;
  await t.cleanup();
});

/** 48 MB of spooled mail, in messages of about 32 KB. */
async function spoolMail(): Promise<number> {
  const body = `${'lorem ipsum dolor sit amet consectetur '.repeat(2)}\r\n`.repeat(400);
  const count = 1500;
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) => t.store.deliver('m', textMessage({ subject: `bulk ${i + j}`, body }))),
    );
  }
  return count;
}

test('the WAL stays bounded while a large spool drains under a busy reader in another process', async () => {
  const count = await spoolMail();
  const db = mailboxPaths(t.dir, 'm').db;
  // The reader holds a snapshot nearly all the time, as IMAP sessions fetching each new message do.
  reader = startChild(['read', t.dir, 'm', 'pw']);
  await reader.waitForLine((line) => line === 'ready');
  let largest = 0;
  const sampler = setInterval(() => {
    largest = Math.max(largest, walBytes(db));
  }, 2);
  try {
    const session = await t.store.open('m', 'pw');
    expect(session.status('INBOX').messages).toBe(count);
    session.close();
  } finally {
    clearInterval(sampler);
  }
  largest = Math.max(largest, walBytes(db));
  // Measured: about 17 MiB with the drain's checkpoints, 99 MiB (everything drained) without them.
  expect(largest, 'largest WAL during the drain, bytes').toBeLessThan(2 * DRAIN_WAL_LIMIT_BYTES);
}, 180_000);
