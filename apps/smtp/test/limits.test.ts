/** The MX limits on the wire: connections per IP, the in-flight byte budget (messages per IP: mx-rate-limit.test.ts). */
import { ByteBudget } from '@mailyard/limits';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { type Harness, HOSTED, startHarness } from './harness.js';
import { Wire } from './wire.js';

let h: Harness;
let mx: SmtpListener;
let port: number;

beforeAll(async () => {
  h = await startHarness({ smtp: { maxConnectionsPerIp: 2 } });
  mx = createMxServer(h.deps({ budget: new ByteBudget(4096) }));
  port = await mx.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await mx.close(1000);
  await h.close();
});

async function greeted(): Promise<Wire> {
  const wire = await Wire.open(port);
  expect((await wire.reply()).code).toBe(220);
  return wire;
}

describe('MX limits', () => {
  test('a third connection from one IP gets 421 4.7.0 and is closed; a slot frees on close', async () => {
    const first = await greeted();
    const second = await greeted();
    const third = await Wire.open(port);
    expect((await third.reply()).lines[0]).toMatch(/^421 4\.7\.0 /);
    expect(await third.closedByServer()).toBe(true);
    first.destroy();
    await waitFor(() => mx.state.connections.count('127.0.0.1') === 1);
    const fourth = await greeted();
    second.destroy();
    fourth.destroy();
    await waitFor(() => mx.state.connections.count('127.0.0.1') === 0);
  });

  test('a full in-flight byte budget answers 452 4.3.1 and stores nothing', async () => {
    const before = (await h.mailbox(h.aliases.alice)).length;
    const otherTransfers = mx.state.ctx.budget.reserve(4000);
    const wire = await greeted();
    await wire.command('EHLO client.test');
    await wire.command('MAIL FROM:<big@sender.test>');
    await wire.command(`RCPT TO:<alice@${HOSTED}>`);
    expect((await wire.command('DATA')).code).toBe(354);
    const reply = await wire.command(`From: big@sender.test\r\n\r\n${'y'.repeat(1000)}\r\n.`);
    expect(reply.lines[0]).toMatch(/^452 4\.3\.1 /);
    otherTransfers.release();
    expect(mx.state.ctx.budget.inUse).toBe(0);
    wire.destroy();
    expect((await h.mailbox(h.aliases.alice)).length).toBe(before);
  });
});
