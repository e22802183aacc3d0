/**
 * Telling which users exist (issue 12 item 7): RCPT TO probing is slowed, then cut, per session, and deferred for
 * every address per client IP; submission AUTH checks every attempt through the control store's
 * verifyMailboxPassword (which runs the same KDF work for unknown users), with no earlier answer for them.
 */
import type { ControlStore } from '@mailyard/control';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { createSubmissionServer, type SubmissionServer } from '../src/submission.js';
import { type Harness, HOSTED, PASSWORD, startHarness } from './harness.js';
import { Wire } from './wire.js';

let h: Harness;
let mx: SmtpListener;
let port: number;

const LIMITS = {
  unknownRecipientsBeforeDelay: 2,
  unknownRecipientsPerSession: 5,
  unknownRecipientDelayMs: 300,
  unknownRecipientsPerIpPerHour: 8,
};

beforeAll(async () => {
  h = await startHarness();
  mx = createMxServer(h.deps({ limits: LIMITS }));
  port = await mx.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await mx.close(1000);
  await h.close();
});

async function inTransaction(): Promise<Wire> {
  const wire = await Wire.open(port);
  expect((await wire.reply()).code).toBe(220);
  await wire.command('EHLO client.test');
  expect((await wire.command('MAIL FROM:<probe@sender.test>')).code).toBe(250);
  return wire;
}

async function timed(wire: Wire, line: string): Promise<{ reply: string; ms: number }> {
  const started = Date.now();
  const reply = await wire.command(line);
  return { reply: reply.lines[0] ?? '', ms: Date.now() - started };
}

describe('RCPT TO probing', () => {
  test('per session: quick 550s, then slowed 550s, then 421 and the connection closes', async () => {
    const wire = await inTransaction();
    const answers = [];
    for (let i = 1; i <= 5; i++) answers.push(await timed(wire, `RCPT TO:<guess${i}@${HOSTED}>`));
    expect(answers.slice(0, 4).every((a) => /^550 5\.1\.1 /.test(a.reply))).toBe(true);
    expect(answers[0]?.ms).toBeLessThan(LIMITS.unknownRecipientDelayMs);
    expect(answers[2]?.ms).toBeGreaterThanOrEqual(LIMITS.unknownRecipientDelayMs - 20);
    expect(answers[4]?.reply).toMatch(/^421 4\.7\.0 /);
    expect(await wire.closedByServer()).toBe(true);
  });

  test('per IP: past the hourly allowance every RCPT TO gets 450 4.7.1, known addresses too', async () => {
    const wire = await inTransaction();
    expect((await wire.command(`RCPT TO:<guess6@${HOSTED}>`)).lines[0]).toMatch(/^550 5\.1\.1 /);
    expect((await wire.command(`RCPT TO:<guess7@${HOSTED}>`)).lines[0]).toMatch(/^550 5\.1\.1 /);
    expect((await wire.command(`RCPT TO:<guess8@${HOSTED}>`)).lines[0]).toMatch(/^550 5\.1\.1 /);
    expect((await wire.command(`RCPT TO:<guess9@${HOSTED}>`)).lines[0]).toMatch(/^450 4\.7\.1 /);
    expect((await wire.command(`RCPT TO:<alice@${HOSTED}>`)).lines[0]).toMatch(/^450 4\.7\.1 /);
    wire.destroy();
    const other = await inTransaction();
    expect((await other.command(`RCPT TO:<bob@${HOSTED}>`)).lines[0]).toMatch(/^450 4\.7\.1 /);
    other.destroy();
    mx.state.unknownBlockedUntil.clear();
  });
});

describe('submission AUTH', () => {
  test('every attempt, unknown user or not, is checked by verifyMailboxPassword; no early answer', async () => {
    const checked: string[] = [];
    const control = new Proxy(h.control, {
      get(target, key, receiver) {
        if (key === 'verifyMailboxPassword') {
          return (address: string, password: string) => {
            checked.push(address);
            return target.verifyMailboxPassword(address, password);
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as ControlStore;
    const submission: SubmissionServer = createSubmissionServer(h.deps({ control }));
    const ports = await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1');
    try {
      const wire = await Wire.open(ports.implicitTls, { tls: true });
      await wire.reply();
      await wire.command('EHLO client.test');
      const plain = (user: string, pass: string) => Buffer.from(`\0${user}\0${pass}`).toString('base64');
      for (const user of [`nobody@${HOSTED}`, 'nobody@unhosted.test', `alice@${HOSTED}`]) {
        expect((await wire.command(`AUTH PLAIN ${plain(user, 'wrong')}`)).lines[0]).toMatch(/^535 5\.7\.8 /);
      }
      expect((await wire.command(`AUTH PLAIN ${plain(`alice@${HOSTED}`, PASSWORD)}`)).lines[0]).toMatch(/^235 /);
      expect(checked).toEqual([`nobody@${HOSTED}`, 'nobody@unhosted.test', `alice@${HOSTED}`, `alice@${HOSTED}`]);
      wire.destroy();
    } finally {
      await submission.close(1000);
    }
  });
});
