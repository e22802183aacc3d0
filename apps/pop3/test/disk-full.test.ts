/**
 * POP3 on a full disk (issue 12 item 9), on a real tmpfs filled to the last byte (testkit's smallFilesystem:
 * skips with the reason without root, fails under CI=true): login works, mail reads back byte for byte, and the
 * UPDATE at QUIT, a write, answers -ERR [SYS/TEMP] and removes nothing; once space is free it succeeds.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type SmallFilesystem, smallFilesystem, waitFor } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { ADDRESS, MAILBOX_ID, message, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

let fs: SmallFilesystem | undefined;
let f: Pop3Fixture | undefined;
afterEach(async () => {
  const fixture = f;
  f = undefined;
  try {
    expect(fixture?.codeBugs()).toEqual([]);
  } finally {
    // Unmount even when the test failed: a mount must not outlive its test.
    await fixture?.close();
    await fs?.cleanup();
    fs = undefined;
  }
});

/** Whether a mailbox database under `dataDir` has its -shm file (SQLite removes it when the last connection closes). */
function hasShmFile(dataDir: string): boolean {
  return readdirSync(join(dataDir, 'mailboxes'), { recursive: true }).some((name) => String(name).endsWith('-shm'));
}

async function login(fixture: Pop3Fixture): Promise<Pop3Wire> {
  const wire = await Pop3Wire.connect(fixture.port);
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK maildrop has 2 messages /);
  return wire;
}

test('on a full disk POP3 logs in and reads; QUIT with DELE answers -ERR [SYS/TEMP] and keeps the mail', async () => {
  fs = await smallFilesystem(8 * 1024 * 1024);
  if (!fs) return;
  f = await startPop3({ dataDir: fs.dir });
  const first = message('first');
  await f.deliver(first);
  await f.deliver(message('second'));
  (await f.mailstore.open(MAILBOX_ID, PASSWORD)).close();
  // The idle handle closes after 20 ms and SQLite removes the -shm file the next open must create again.
  const { mailstore, dir } = f;
  await waitFor(() => !mailstore.isOpen(MAILBOX_ID) && !hasShmFile(dir.path));
  await fs.fill();

  const wire = await login(f);
  expect((await wire.retr(1)).body.equals(first)).toBe(true);
  expect(await wire.command('DELE 1')).toMatch(/^\+OK/);
  expect(await wire.command('QUIT')).toMatch(/^-ERR \[SYS\/TEMP\] Not enough disk space/);
  const fixture = f;
  await waitFor(() => fixture.service.openMailboxes === 0);

  await fs.free();
  await waitFor(() => !mailstore.isOpen(MAILBOX_ID));
  const again = await login(f);
  expect(await again.command('DELE 1')).toMatch(/^\+OK/);
  expect(await again.command('QUIT')).toBe('+OK Bye (1 message deleted)\r\n');
});
