/**
 * The pause before the 220 greeting (early-talker test), a setting per listener through our smtp-server patch
 * (greetingDelay): off by default on the MX and on submission, so the greeting comes without waiting and a client
 * that talks before it is served after it; with a pause set on the MX, a client that sends a command before the
 * greeting gets 421 and is disconnected, and a patient one gets the greeting only after the pause. Real sockets
 * on 127.0.0.1; invalid settings are refused when the configuration loads.
 */
import { type Config, loadConfig } from '@mailyard/config';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { createSubmissionServer } from '../src/submission.js';
import { type Harness, startHarness } from './harness.js';
import { Wire } from './wire.js';

/** Long enough that a greeting without a pause arrives well before it, even on a loaded machine. */
const PAUSE_MS = 3000;

let h: Harness;
const listeners: Array<{ close(graceMs?: number): Promise<void> }> = [];

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  for (const listener of listeners) await listener.close(1000);
  await h.close();
});

function withSmtp(smtp: Partial<Config['smtp']>): Config {
  return { ...h.config, smtp: { ...h.config.smtp, ...smtp } };
}

async function mx(config: Config = h.config): Promise<number> {
  const listener: SmtpListener = createMxServer(h.deps({ config }));
  listeners.push(listener);
  return listener.listen(0, '127.0.0.1');
}

/** Connects and sends EHLO at once, before reading anything (an early talker). */
async function talkAtOnce(port: number): Promise<Wire> {
  const wire = await Wire.open(port);
  wire.write('EHLO early.test\r\n');
  return wire;
}

describe('no pause (the default)', () => {
  test('the defaults are 0 on the MX and on submission', () => {
    expect(h.config.smtp.mxGreetingDelayMs).toBe(0);
    expect(h.config.smtp.submissionGreetingDelayMs).toBe(0);
  });

  test('MX: the greeting comes without the pause a pre-greet test takes', async () => {
    const started = performance.now();
    const wire = await Wire.open(await mx());
    expect((await wire.reply()).code).toBe(220);
    expect(performance.now() - started).toBeLessThan(PAUSE_MS);
    wire.destroy();
  });

  test('MX: a client that talks before the greeting is greeted, then served', async () => {
    const wire = await talkAtOnce(await mx());
    expect((await wire.reply()).code).toBe(220);
    expect((await wire.reply()).code).toBe(250);
    expect((await wire.command('QUIT')).code).toBe(221);
  });

  test('submission: a client that talks before the greeting is greeted, then served', async () => {
    const submission = createSubmissionServer(h.deps());
    listeners.push(submission);
    const ports = await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1');
    const wire = await talkAtOnce(ports.starttls);
    expect((await wire.reply()).code).toBe(220);
    expect((await wire.reply()).code).toBe(250);
    expect((await wire.command('QUIT')).code).toBe(221);
  });
});

describe(`MX with a ${PAUSE_MS} ms pause`, () => {
  let port: number;

  beforeAll(async () => {
    port = await mx(withSmtp({ mxGreetingDelayMs: PAUSE_MS }));
  });

  test('an early talker gets 421 instead of the greeting and is disconnected', async () => {
    const wire = await talkAtOnce(port);
    const reply = await wire.reply();
    expect(reply.code).toBe(421);
    expect(reply.text).toMatch(/talk too soon/i);
    expect(await wire.closedByServer()).toBe(true);
  });

  test('a client that waits gets the greeting no earlier than the pause, then is served', async () => {
    const started = performance.now();
    const wire = await Wire.open(port);
    expect((await wire.reply()).code).toBe(220);
    expect(performance.now() - started).toBeGreaterThanOrEqual(PAUSE_MS - 5);
    expect((await wire.command('EHLO patient.test')).code).toBe(250);
    expect((await wire.command('QUIT')).code).toBe(221);
  });

  test('the pause is per listener: submission built from the same settings greets an early talker', async () => {
    const submission = createSubmissionServer(h.deps({ config: withSmtp({ mxGreetingDelayMs: PAUSE_MS }) }));
    listeners.push(submission);
    const ports = await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1');
    const wire = await talkAtOnce(ports.starttls);
    expect((await wire.reply()).code).toBe(220);
    expect((await wire.reply()).code).toBe(250);
    wire.destroy();
  });
});

describe('invalid settings are refused', () => {
  test.each([
    ['MAILYARD_SMTP_MX_GREETING_DELAY_MS', '-1'],
    ['MAILYARD_SMTP_MX_GREETING_DELAY_MS', 'soon'],
    ['MAILYARD_SMTP_MX_GREETING_DELAY_MS', '31s'],
    ['MAILYARD_SMTP_SUBMISSION_GREETING_DELAY_MS', 'later'],
  ])('%s=%s', (name, value) => {
    expect(() => loadConfig({ env: { [name]: value } })).toThrow(/GREETING_DELAY_MS|GreetingDelayMs/);
  });

  test('a valid duration with a unit is read', () => {
    expect(loadConfig({ env: { MAILYARD_SMTP_MX_GREETING_DELAY_MS: '2s' } }).smtp.mxGreetingDelayMs).toBe(2000);
  });
});
