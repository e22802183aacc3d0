/**
 * Issue 12 item 1, "a connection's work must stop when it closes", for a FETCH stalled on a client that stopped
 * reading: once the client destroys its socket, the FETCH stops at its next write instead of going on to read
 * messages through the mail store session that closed with the connection (which logged a code bug, caught by
 * the global code-bug check of test/setup/code-bugs.ts as well as by the assertion here).
 */
import { randomBytes } from 'node:crypto';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Harness, startHarness, type TestUser } from './harness.js';
import { loginWire } from './wire-client.js';

/** Far more output than the socket buffers on both sides hold, so FETCH 1:* BODY[] waits for the client. */
const MESSAGES = 4;
const MESSAGE_BYTES = 4 * 1024 * 1024;
/** How long the client holds its window closed before it leaves. */
const STALL_MS = 1_500;

function largeMessage(n: number): Buffer {
  const lines: string[] = [];
  for (let size = 0; size < MESSAGE_BYTES; size += 78) lines.push(randomBytes(57).toString('base64'));
  return Buffer.from(
    `From: bob@example.test\r\nSubject: large ${n}\r\nContent-Type: application/octet-stream\r\n` +
      `Content-Transfer-Encoding: base64\r\n\r\n${lines.join('\r\n')}\r\n`,
  );
}

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await startHarness();
  user = await h.addUser('stalled');
  for (let n = 0; n < MESSAGES; n++) await h.mailstore.deliver(user.mailboxId, largeMessage(n));
}, 120_000);
afterAll(async () => h?.close());

test('item 1: a FETCH stalled on a client that stops reading stops when the client leaves', async () => {
  const wire = await loginWire(h.port, user.address, user.password);
  expect(await wire.command('a2', 'SELECT INBOX')).toMatch(new RegExp(`^\\* ${MESSAGES} EXISTS`, 'm'));
  wire.socket.pause();
  wire.send('a3 FETCH 1:* BODY[]\r\n');
  await new Promise((resolve) => setTimeout(resolve, STALL_MS));
  wire.close();
  const stopped = await waitFor(
    () => h.logs.find((line) => line.msg === 'imap command stopped: client left' && line.command === 'FETCH'),
    10_000,
  );
  expect(stopped).toBeTruthy();
  // Give a FETCH that went on anyway time to reach the next message through the closed store session.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(h.codeBugs()).toEqual([]);
  expect(h.logs.filter((line) => line.msg === 'imap command failed after the client left')).toEqual([]);
}, 60_000);
