/**
 * The MX message limit on the wire: counted per client IP, never per claimed MAIL FROM (which anyone can forge).
 * 127.0.0.2 is a second client address on loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { type Harness, HOSTED, message, startHarness } from './harness.js';
import { Wire } from './wire.js';

const LIMIT = 3;
const FORGED = 'bob@example.org';

let h: Harness;
let mx: SmtpListener;
let port: number;

beforeAll(async () => {
  h = await startHarness();
  mx = createMxServer(h.deps({ limits: { mxMessagesPerIpPerHour: LIMIT } }));
  port = await mx.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await mx.close(1000);
  await h.close();
});

async function session(localAddress: string): Promise<Wire> {
  const wire = await Wire.open(port, { localAddress });
  expect((await wire.reply()).code).toBe(220);
  expect((await wire.command('EHLO client.test')).code).toBe(250);
  return wire;
}

/** One whole transaction to bob; returns the MAIL FROM reply's first line and, if accepted, the final reply's. */
async function deliver(wire: Wire, subject: string): Promise<{ mail: string; data?: string }> {
  const mail = await wire.command(`MAIL FROM:<${FORGED}>`);
  if (mail.code !== 250) return { mail: mail.lines[0] ?? '' };
  expect((await wire.command(`RCPT TO:<bob@${HOSTED}>`)).code).toBe(250);
  expect((await wire.command('DATA')).code).toBe(354);
  wire.write(Buffer.concat([message({ from: FORGED, to: `bob@${HOSTED}`, subject }), Buffer.from('.\r\n')]));
  const done = await wire.reply();
  return { mail: mail.lines[0] ?? '', data: done.lines[0] ?? '' };
}

async function subjects(): Promise<string[]> {
  const stored = await h.mailbox(h.aliases.bob);
  return stored.map((raw) => /^Subject: (.*)\r$/m.exec(raw.toString('utf8'))?.[1] ?? '');
}

describe('MX messages per client IP per hour', () => {
  test('one IP claiming one sender is limited; the same sender from another IP still gets through', async () => {
    const flooder = await session('127.0.0.1');
    for (let i = 0; i < LIMIT; i++) {
      const result = await deliver(flooder, `flood ${i}`);
      expect(result.mail).toMatch(/^250 /);
      expect(result.data).toMatch(/^250 /);
    }
    const refused = await deliver(flooder, 'flood over');
    expect(refused.mail).toMatch(/^451 4\.7\.0 Too many messages from your IP address, try again in \d+ minutes$/);
    // Per IP, not per sender: another claimed sender from the same IP is refused as well.
    expect((await flooder.command('MAIL FROM:<someone@else.test>')).lines[0]).toMatch(/^451 4\.7\.0 /);
    flooder.destroy();

    const real = await session('127.0.0.2');
    const result = await deliver(real, 'from the real bob');
    expect(result.mail).toMatch(/^250 /);
    expect(result.data).toMatch(/^250 /);
    await real.command('QUIT');
    real.destroy();

    expect(await subjects()).toEqual(['flood 0', 'flood 1', 'flood 2', 'from the real bob']);
  });

  test('a fresh session from the limited IP is still refused at MAIL FROM', async () => {
    const again = await session('127.0.0.1');
    expect((await again.command(`MAIL FROM:<${FORGED}>`)).lines[0]).toMatch(/^451 4\.7\.0 /);
    expect((await again.command('MAIL FROM:<>')).lines[0]).toMatch(/^451 4\.7\.0 /);
    again.destroy();
  });
});
