/**
 * Clients that never read their output. A server that keeps producing replies while the client's TCP window is
 * closed buffers them in its own memory; it must instead wait for the socket to drain (and stop reading further
 * commands meanwhile) or close the connection. For IMAP (FETCH 1:* BODY[] over large messages, pipelined), POP3
 * (RETR of large messages, pipelined) and SMTP (pipelined EHLO, whose reply is many times its size): the memory of
 * this process, which holds the servers (the stalled client runs in its own process), must stay within a bound
 * far below what the requested output would take, and another client must still get answers meanwhile.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PASSWORD, type Stack, startStack, USER } from './support/stack.js';
import { WireConnection } from './support/wire.js';
import { REPLY_MS } from './support/wire-fuzz.js';

const STALLED_CLIENT = fileURLToPath(new URL('./fixtures/stalled-client.mjs', import.meta.url));
/** Large messages in the mailbox: BODY[] of 1:* is their sum; the tests ask for it many times over. */
const LARGE_MESSAGES = 4;
const LARGE_MESSAGE_BYTES = 4 * 1024 * 1024;
/** How long the client holds its window closed while memory is watched. */
const WATCH_MS = 4_000;
/**
 * What the stalled output may cost the server process (heap plus Buffers): a few messages in flight. Measured:
 * 0-4 MB for IMAP and SMTP, 9-34 MB for POP3 (wildduck holds the message being sent, on a loaded machine more
 * of them). IMAP is asked for ~70 MB of output, POP3 and SMTP for hundreds of MB, so each bound sits well below
 * what buffering the requested output would cost.
 */
const MAX_GROWTH_BYTES = { imap: 32 * 1024 * 1024, pop3: 96 * 1024 * 1024, smtp: 96 * 1024 * 1024 };

function largeMessage(n: number): Buffer {
  const lines: string[] = [];
  for (let size = 0; size < LARGE_MESSAGE_BYTES; size += 78) lines.push(randomBytes(57).toString('base64'));
  return Buffer.from(
    `From: bob@example.org\r\nTo: ${USER}\r\nSubject: large ${n}\r\nContent-Type: application/octet-stream\r\n` +
      `Content-Transfer-Encoding: base64\r\n\r\n${lines.join('\r\n')}\r\n`,
  );
}

function inUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * Watches memory for WATCH_MS; the largest rise over the lowest point seen since `before` (taken before the
 * client started), so that garbage collected meanwhile does not hide growth.
 */
async function peakGrowth(before: number): Promise<number> {
  let low = before;
  let peak = 0;
  for (let waited = 0; waited < WATCH_MS; waited += 50) {
    const now = inUse();
    low = Math.min(low, now);
    peak = Math.max(peak, now - low);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return peak;
}

interface StalledClient {
  child: ChildProcess;
  /** What the `ready` pattern matched. */
  ready: string;
}

interface Script {
  greeting: string;
  setup: string;
  ready: string;
  payload: string;
  repeat: number;
}

/** Starts the stalled client (fixtures/stalled-client.mjs) and resolves once it has sent its payload. */
async function stalledClient(port: number, script: Script): Promise<StalledClient> {
  const child = spawn(process.execPath, [STALLED_CLIENT, String(port), JSON.stringify(script)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.push(child);
  let out = '';
  const seen = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (match) resolve(match[1] ?? '');
      };
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        check();
      });
      child.once('exit', () => reject(new Error(`stalled client exited: ${out}`)));
      check();
    });
  const ready = await seen(/^stalled (.*)$/m);
  return { child, ready };
}

/** Another client's simple exchange must be answered while the stalled one waits. */
async function answersMeanwhile(port: number, greeting: RegExp, line: string, answer: RegExp): Promise<void> {
  const other = await WireConnection.open(port);
  try {
    expect(await other.waitFor(greeting, REPLY_MS)).toBe(true);
    const from = other.received;
    other.socket.write(line);
    expect(await other.waitFor(answer, REPLY_MS, from)).toBe(true);
  } finally {
    other.destroy();
  }
}

let stack: Stack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startStack();
  for (let n = 0; n < LARGE_MESSAGES; n++) await stack.deliver(largeMessage(n));
}, 120_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stack?.close();
});

test('IMAP: pipelined FETCH 1:* BODY[] to a client that never reads stays bounded in memory', async () => {
  const port = await stack.listen('imap');
  const before = inUse();
  // 4 x 1:* over ~17 MB of large messages: about 70 MB of output if it were all buffered.
  const client = await stalledClient(port, {
    greeting: '^\\* OK',
    setup: `a1 LOGIN "${USER}" "${PASSWORD}"\r\na2 SELECT INBOX\r\n`,
    ready: '^a2 OK',
    payload: Array.from({ length: 4 }, (_, i) => `f${i} FETCH 1:* BODY[]\r\n`).join(''),
    repeat: 1,
  });
  const growth = await peakGrowth(before);
  await answersMeanwhile(port, /^\* OK/m, `b1 LOGIN "${USER}" "${PASSWORD}"\r\nb2 NOOP\r\n`, /^b2 OK/m);
  // Leave while FETCH waits for the client: the command stops at its next write (issue 12 item 1) instead of
  // reading on through the closed mailbox session, which the code-bug check would catch.
  client.child.kill('SIGKILL');
  await waitFor(() => stack.recentLogs().some((line) => line.includes('imap command stopped: client left')), 10_000);
  console.log(`imap stalled reader: server memory peak growth ${(growth / 1e6).toFixed(1)} MB`);
  expect(growth).toBeLessThan(MAX_GROWTH_BYTES.imap);
});

test('POP3: pipelined RETR of large messages to a client that never reads stays bounded in memory', async () => {
  const port = await stack.listen('pop3');
  const before = inUse();
  const client = await stalledClient(port, {
    greeting: '^\\+OK',
    setup: `USER ${USER}\r\nPASS ${PASSWORD}\r\nSTAT\r\n`,
    ready: '^\\+OK \\d+ \\d+',
    // 20 rounds over every message: about 400 MB of output if it were all buffered.
    payload: Array.from({ length: 16 }, (_, i) => `RETR ${i + 1}\r\n`).join(''),
    repeat: 20,
  });
  expect(Number(client.ready.split(' ')[1])).toBeGreaterThanOrEqual(LARGE_MESSAGES);
  const growth = await peakGrowth(before);
  await answersMeanwhile(port, /^\+OK/m, 'CAPA\r\n', /^\.\r$/m);
  client.child.kill('SIGKILL');
  console.log(`pop3 stalled reader: server memory peak growth ${(growth / 1e6).toFixed(1)} MB`);
  expect(growth).toBeLessThan(MAX_GROWTH_BYTES.pop3);
});

test('SMTP: pipelined commands with long replies to a client that never reads stay bounded in memory', async () => {
  const port = await stack.listen('smtp');
  const before = inUse();
  // EHLO answers with a multi-line reply many times its own size: 1,500,000 of them make ~450 MB of replies.
  const client = await stalledClient(port, {
    greeting: '^220 ',
    setup: 'EHLO client.example.org\r\n',
    ready: '^250 ',
    payload: 'EHLO client.example.org\r\n',
    repeat: 1_500_000,
  });
  const growth = await peakGrowth(before);
  await answersMeanwhile(port, /^220 /m, 'NOOP\r\n', /^250 /m);
  client.child.kill('SIGKILL');
  console.log(`smtp stalled reader: server memory peak growth ${(growth / 1e6).toFixed(1)} MB`);
  expect(growth).toBeLessThan(MAX_GROWTH_BYTES.smtp);
});
