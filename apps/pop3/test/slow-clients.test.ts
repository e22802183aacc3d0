/**
 * Slow and greedy clients (issue 12 item 5, pace.ts): a command line must arrive within limits.timeoutMs of its
 * first byte and stay under the line limit, replies must be read at limits.minTransferBytesPerSecond, an idle
 * session ends after pop3.idleTimeoutMs, and a listener holds at most pop3.maxConnections sessions. Each cut
 * leaves the process serving other clients.
 */
import { connect } from 'node:net';
import { waitFor } from '@mailyard/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { POP3_LIMITS } from '../src/limits.js';

const MAX_LINE_BYTES = POP3_LIMITS.maxLineBytes;

import { ADDRESS, MAILBOX_ID, message, PASSWORD, type Pop3Fixture, startPop3 } from './fixture.js';
import { Pop3Wire } from './pop3-wire.js';

let f: Pop3Fixture | undefined;
afterEach(async () => {
  expect(f?.codeBugs()).toEqual([]);
  await f?.close();
  f = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stillServes(fixture: Pop3Fixture): Promise<void> {
  const wire = await Pop3Wire.connect(fixture.port);
  expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
  expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK maildrop/);
  expect(await wire.command('QUIT')).toMatch(/^\+OK/);
}

function cutOffs(fixture: Pop3Fixture): unknown[] {
  return fixture.logs.filter((line) => line.msg === 'pop3 client cut off').map((line) => line.reason);
}

describe('commands', () => {
  test('a command trickled in a byte at a time is cut when limits.timeoutMs has passed since its first byte', async () => {
    f = await startPop3({ limitSettings: { timeoutMs: 400 } });
    const wire = await Pop3Wire.connect(f.port);
    const started = Date.now();
    for (const byte of 'NOOP NOOP NOOP'.split('')) {
      if (wire.closed) break;
      wire.write(byte);
      await sleep(60);
    }
    expect((await wire.reply(false)).toString()).toBe('-ERR [SYS/TEMP] Command not received in time\r\n');
    await wire.waitClosed();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(cutOffs(f)).toEqual(['command not received in time']);
    await stillServes(f);
  });

  test('each complete line restarts the clock: steady pipelining is never cut', async () => {
    f = await startPop3({ limitSettings: { timeoutMs: 400 } });
    const wire = await Pop3Wire.connect(f.port);
    for (let i = 0; i < 8; i++) {
      wire.write('NOOP\r\nNO');
      await sleep(100);
      wire.write('OP\r\n');
    }
    for (let i = 0; i < 16; i++) expect((await wire.reply(false)).toString()).toBe('-ERR Command not accepted\r\n');
    expect(wire.closed).toBe(false);
    wire.close();
  });

  test(`a line longer than ${MAX_LINE_BYTES} bytes ends the connection, with or without its line break`, async () => {
    f = await startPop3();
    const unended = await Pop3Wire.connect(f.port);
    unended.write('A'.repeat(MAX_LINE_BYTES + 1));
    expect((await unended.reply(false)).toString()).toBe('-ERR Line too long\r\n');
    await unended.waitClosed();
    const ended = await Pop3Wire.connect(f.port);
    ended.write(`USER ${'b'.repeat(MAX_LINE_BYTES)}\r\n`);
    expect((await ended.reply(false)).toString()).toBe('-ERR Line too long\r\n');
    await ended.waitClosed();
    await stillServes(f);
  });

  test('an idle session ends after pop3.idleTimeoutMs', async () => {
    f = await startPop3({ pop3: { idleTimeoutMs: 300 } });
    const wire = await Pop3Wire.connect(f.port);
    expect((await wire.reply(false)).toString()).toBe('-ERR Disconnected for inactivity\r\n');
    await wire.waitClosed();
  });
});

describe('replies', () => {
  test('a client that does not read its RETR replies is cut off, and later commands were never run', async () => {
    f = await startPop3({ limitSettings: { timeoutMs: 300, minTransferBytesPerSecond: 16 * 1024 * 1024 } });
    await f.deliver(message('big', `${'x'.repeat(998)}\r\n`.repeat(8 * 1024)));
    // Stored before the clock matters: the login below then has no 8 MB spool drain to do.
    (await f.mailstore.open(MAILBOX_ID, PASSWORD)).close();
    const socket = connect({ port: f.port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    // Without a bound the server would queue ten copies of the 8 MB message in memory for this client.
    socket.write(`USER ${ADDRESS}\r\nPASS ${PASSWORD}\r\n${'RETR 1\r\n'.repeat(10)}DELE 1\r\nQUIT\r\n`);
    socket.pause();
    const fixture = f;
    await waitFor(() => cutOffs(fixture).length > 0, 30_000);
    expect(cutOffs(f)).toEqual(['reply not read in time']);
    socket.destroy();
    await waitFor(() => fixture.service.openMailboxes === 0);
    const wire = await Pop3Wire.connect(f.port);
    expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK maildrop has 1 message /);
    wire.close();
  });

  test('pipelined RETRs of large messages all arrive in order for a client that reads them', async () => {
    f = await startPop3({ limitSettings: { timeoutMs: 300, minTransferBytesPerSecond: 1024 } });
    const bodies = ['a', 'b', 'c'].map((c) => `${c.repeat(998)}\r\n`.repeat(2048));
    for (const [i, body] of bodies.entries()) await f.deliver(message(`large ${i}`, body));
    const wire = await Pop3Wire.connect(f.port);
    expect(await wire.command(`USER ${ADDRESS}`)).toMatch(/^\+OK/);
    expect(await wire.command(`PASS ${PASSWORD}`)).toMatch(/^\+OK maildrop has 3 messages/);
    wire.write('RETR 1\r\nRETR 2\r\nRETR 3\r\nSTAT\r\n');
    for (const [i, body] of bodies.entries()) {
      const reply = (await wire.reply(true)).toString();
      expect(reply).toContain(`Subject: large ${i}`);
      expect(reply).toContain(body);
    }
    expect((await wire.reply(false)).toString()).toMatch(/^\+OK 3 /);
    wire.close();
  });
});

describe('connections per listener', () => {
  test('pop3.maxConnections: the session past it gets -ERR [SYS/TEMP] from any address and is closed', async () => {
    f = await startPop3({ pop3: { maxConnections: 2, maxConnectionsPerIp: 10 } });
    const open = [await Pop3Wire.connect(f.port), await Pop3Wire.connect(f.port)];
    const refused = await Pop3Wire.connect(f.port);
    expect(refused.greeting).toBe('-ERR [SYS/TEMP] Too many connections, try again later\r\n');
    await refused.waitClosed();
    expect(f.logs.some((line) => line.msg === 'too many connections on listener')).toBe(true);
    open[0]?.close();
    const fixture = f;
    await waitFor(async () => {
      const wire = await Pop3Wire.connect(fixture.port);
      const admitted = wire.greeting.startsWith('+OK');
      wire.close();
      return admitted;
    });
    open[1]?.close();
  });
});

describe('TLS handshakes', () => {
  test('a client that never finishes its TLS handshake on the implicit-TLS port is dropped after limits.timeoutMs', async () => {
    f = await startPop3({ secure: true, limitSettings: { timeoutMs: 300 } });
    const socket = connect({ port: f.port, host: '127.0.0.1' });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    socket.write('\x16\x03\x01');
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(3000);
    const wire = await Pop3Wire.connect(f.port, { tls: true });
    expect(wire.greeting).toMatch(/^\+OK/);
    wire.close();
  });
});
