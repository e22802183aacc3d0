/**
 * Slow clients are cut (issue 12 item 5): a command line dripped byte by byte, a DATA transfer past its total
 * time, a DATA transfer below the minimum rate, and connections past the cap of a listener. Small configured
 * values stand in for the 180 s budget.
 */
import { connect } from 'node:net';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { createSubmissionServer } from '../src/submission.js';
import { type Harness, HOSTED, startHarness } from './harness.js';
import { Wire } from './wire.js';

let h: Harness;
let mx: SmtpListener;
let port: number;

const LIMITS = {
  commandTimeoutMs: 600,
  dataTimeoutMs: 1500,
  minDataBytesPerSecond: 200,
  dataRateWindowMs: 500,
  maxConnectionsPerListener: 3,
};

beforeAll(async () => {
  h = await startHarness({ smtp: { maxConnectionsPerIp: 10 } });
  mx = createMxServer(h.deps({ limits: LIMITS }));
  port = await mx.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await mx.close(1000);
  await h.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ready(): Promise<Wire> {
  const wire = await Wire.open(port);
  expect((await wire.reply()).code).toBe(220);
  expect((await wire.command('EHLO client.test')).code).toBe(250);
  return wire;
}

/** Writes `text` a byte at a time every `everyMs` until it is written or the server closed the connection. */
async function drip(wire: Wire, text: string, everyMs: number): Promise<void> {
  for (const byte of text) {
    if (wire.closed) return;
    wire.write(byte);
    await pause(everyMs);
  }
}

describe('deadlines', () => {
  test('a command dripped a byte at a time is cut with 421 4.4.2 once it takes longer than the command time', async () => {
    const wire = await ready();
    const started = Date.now();
    const dripping = drip(wire, 'MAIL FROM:<slow@sender.test>\r\n', 100);
    const reply = await wire.reply(5000);
    expect(reply.lines[0]).toMatch(/^421 4\.4\.2 command took too long/);
    expect(await wire.closedByServer()).toBe(true);
    expect(Date.now() - started).toBeLessThan(2500);
    await dripping;
  });

  test('whole commands, each sent at once, are never cut however long the session', async () => {
    const wire = await ready();
    for (let i = 0; i < 3; i++) {
      await pause(LIMITS.commandTimeoutMs + 100);
      expect((await wire.command('NOOP')).code).toBe(250);
    }
    wire.destroy();
  });

  test('after STARTTLS the TLS session is watched: idle time between commands is fine, a dripped command is cut', async () => {
    const wire = await ready();
    expect((await wire.command('STARTTLS')).code).toBe(220);
    await wire.startTls();
    await pause(LIMITS.commandTimeoutMs + 200);
    expect((await wire.command('EHLO client.test')).code).toBe(250);
    const dripping = drip(wire, 'NOOP and more and more\r\n', 100);
    expect((await wire.reply(5000)).lines[0]).toMatch(/^421 4\.4\.2 /);
    expect(await wire.closedByServer()).toBe(true);
    await dripping;
  });

  test('an implicit-TLS handshake that never finishes is dropped after the command time', async () => {
    const submission = createSubmissionServer(h.deps({ limits: LIMITS }));
    const { implicitTls } = await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1');
    try {
      const socket = connect({ port: implicitTls, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      const closed = new Promise((resolve) => socket.once('close', resolve));
      await new Promise((resolve) => socket.once('connect', resolve));
      const started = Date.now();
      for (const byte of [0x16, 0x03, 0x01, 0x00]) {
        if (socket.destroyed) break;
        socket.write(Buffer.from([byte]));
        await pause(100);
      }
      await closed;
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await submission.close(500);
    }
  });

  test('DATA below the minimum rate is cut with 421 4.4.2, nothing stored, nothing left in the budget', async () => {
    const before = (await h.mailbox(h.aliases.alice)).length;
    const wire = await ready();
    await wire.command('MAIL FROM:<slow@sender.test>');
    await wire.command(`RCPT TO:<alice@${HOSTED}>`);
    expect((await wire.command('DATA')).code).toBe(354);
    const dripping = drip(wire, `From: slow@sender.test\r\nSubject: slow\r\n\r\n${'x'.repeat(200)}\r\n.\r\n`, 20);
    expect((await wire.reply(5000)).lines[0]).toMatch(/^421 4\.4\.2 DATA too slow/);
    expect(await wire.closedByServer()).toBe(true);
    await dripping;
    await waitFor(() => mx.state.inflight.count === 0);
    expect((await h.mailbox(h.aliases.alice)).length).toBe(before);
    expect(mx.state.ctx.budget.inUse).toBe(0);
  });

  test('DATA fast enough but longer than the DATA time in total is cut with 421 4.4.2', async () => {
    const wire = await ready();
    await wire.command('MAIL FROM:<long@sender.test>');
    await wire.command(`RCPT TO:<alice@${HOSTED}>`);
    expect((await wire.command('DATA')).code).toBe(354);
    const started = Date.now();
    let reply: Awaited<ReturnType<Wire['reply']>> | undefined;
    const reading = wire.reply(5000).then((r) => {
      reply = r;
    });
    while (!wire.closed && Date.now() - started < 4000) {
      wire.write(`${'y'.repeat(400)}\r\n`);
      await pause(100);
    }
    await reading;
    expect(reply?.lines[0]).toMatch(/^421 4\.4\.2 DATA took too long/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    // Lines the client wrote after the 421 may still be arriving: the budget is given back once the cut DATA ends.
    await waitFor(() => mx.state.inflight.count === 0 && mx.state.ctx.budget.inUse === 0);
    expect(mx.state.ctx.budget.inUse).toBe(0);
  });

  test('past the connections of a listener, a new one gets 421 and is closed; the slot frees on close', async () => {
    const open = [await ready(), await ready(), await ready()];
    const extra = await Wire.open(port);
    expect((await extra.reply()).lines[0]).toMatch(/^421 /);
    expect(await extra.closedByServer()).toBe(true);
    open.pop()?.destroy();
    await waitFor(() => mx.server.connections.size === 2);
    const again = await ready();
    for (const wire of [...open, again]) wire.destroy();
    await waitFor(() => mx.server.connections.size === 0);
  });

  test('a message sent at a normal pace still gets through', async () => {
    const wire = await ready();
    await wire.command('MAIL FROM:<sam@sender.test>');
    await wire.command(`RCPT TO:<alice@${HOSTED}>`);
    expect((await wire.command('DATA')).code).toBe(354);
    expect((await wire.command('From: sam@sender.test\r\nSubject: ok\r\n\r\nfine\r\n.')).lines[0]).toMatch(/^250 /);
    wire.destroy();
  });
});
