/**
 * Large messages (issue 12 item 14): past the spill threshold DATA goes to an encrypted temp file under
 * data/tmp/smtp (never plaintext at rest, removed afterwards), the in-flight budget holds about the threshold
 * rather than the message, and the message is sealed into the spool as a stream, arriving byte-identical.
 * A forwarded or queued copy is read whole within the budget. Small thresholds stand in for the 1 MiB default.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@mailyard/testkit';
import { dkimVerify } from 'mailauth';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { createSubmissionServer, type SubmissionServer } from '../src/submission.js';
import { type Harness, HOSTED, message, PASSWORD, REMOTE, startHarness } from './harness.js';
import { Wire } from './wire.js';

const THRESHOLD = 64 * 1024;
const CHUNK = 16 * 1024;
const SECRET = 'plaintext-marker-that-must-never-reach-the-disk';

let h: Harness;
let mx: SmtpListener;
let port: number;
let submission: SubmissionServer;
let submissionPort: number;

beforeAll(async () => {
  h = await startHarness();
  const limits = { spillThresholdBytes: THRESHOLD, spillChunkBytes: CHUNK };
  mx = createMxServer(h.deps({ limits }));
  port = await mx.listen(0, '127.0.0.1');
  submission = createSubmissionServer(h.deps({ limits }));
  submissionPort = (await submission.listen({ starttls: 0, implicitTls: 0 }, '127.0.0.1')).implicitTls;
});

afterAll(async () => {
  await submission.close(1000);
  await mx.close(1000);
  await h.close();
});

function bigBody(bytes: number): string {
  const line = `${SECRET} ${'z'.repeat(20)}\r\n`;
  return line.repeat(Math.ceil(bytes / line.length));
}

async function spillFiles(): Promise<string[]> {
  return readdir(join(h.dir.path, 'tmp', 'smtp')).catch(() => []);
}

/** The content of the one spill file once it holds more than `atLeast` bytes (waits up to 10 s). */
async function spilledBytes(atLeast: number): Promise<Buffer> {
  return waitFor(
    async () => {
      const [name] = await spillFiles();
      const bytes = name ? await readFile(join(h.dir.path, 'tmp', 'smtp', name)).catch(() => null) : null;
      return bytes && bytes.length > atLeast ? bytes : null;
    },
    10_000,
    50,
  );
}

describe('large messages on the MX', () => {
  test('spilled encrypted while in flight, budget bounded, stored byte-identical, temp file removed', async () => {
    const raw = message({ from: 'sam@sender.test', to: `alice@${HOSTED}`, body: bigBody(2 * 1024 * 1024) });
    const wire = await Wire.open(port);
    await wire.reply();
    await wire.command('EHLO client.test');
    await wire.command('MAIL FROM:<sam@sender.test>');
    await wire.command(`RCPT TO:<alice@${HOSTED}> NOTIFY=NEVER`);
    expect((await wire.command('DATA')).code).toBe(354);
    let peakBudget = 0;
    const half = Math.floor(raw.length / 2);
    for (let at = 0; at < half; at += 8192) {
      wire.write(raw.subarray(at, Math.min(at + 8192, half)));
      peakBudget = Math.max(peakBudget, mx.state.ctx.budget.inUse);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const onDisk = await spilledBytes(THRESHOLD * 2);
    peakBudget = Math.max(peakBudget, mx.state.ctx.budget.inUse);
    expect(onDisk.length).toBeGreaterThan(THRESHOLD * 2);
    expect(onDisk.includes(SECRET)).toBe(false);
    wire.write(raw.subarray(half));
    const reply = await wire.command('.');
    expect(reply.lines[0]).toMatch(/^250 2\.6\.0 /);
    wire.destroy();
    expect(peakBudget).toBeLessThanOrEqual(THRESHOLD + 64 * 1024);
    expect(mx.state.ctx.budget.inUse).toBe(0);
    expect(await spillFiles()).toEqual([]);
    const stored = (await h.mailbox(h.aliases.alice)).at(-1) ?? Buffer.alloc(0);
    expect(stored.subarray(stored.length - raw.length).equals(raw)).toBe(true);
    expect(stored.toString('latin1')).toMatch(/Authentication-Results: mx\.hosted\.test;/);
  });

  test('a large message to a forwarding alias is queued whole (within the budget) and sealed for the mailbox', async () => {
    const raw = message({ from: 'sam@sender.test', to: `both@${HOSTED}`, body: bigBody(300 * 1024) });
    const transport = createTransport({ host: '127.0.0.1', port, secure: false, tls: { rejectUnauthorized: false } });
    await transport.sendMail({ envelope: { from: 'sam@sender.test', to: [`both@${HOSTED}`] }, raw });
    const stored = (await h.mailbox(h.aliases.both)).at(-1) ?? Buffer.alloc(0);
    expect(stored.subarray(stored.length - raw.length).equals(raw)).toBe(true);
    const [queued] = await h.control.listRecent(1);
    expect(queued?.recipients.map((r) => r.address)).toEqual([`dave@${REMOTE}`]);
    expect(mx.state.ctx.budget.inUse).toBe(0);
    expect(await spillFiles()).toEqual([]);
  });

  test('a refused large message (bare LF deep in the body) leaves no temp file and nothing stored', async () => {
    const before = (await h.mailbox(h.aliases.alice)).length;
    const wire = await Wire.open(port);
    await wire.reply();
    await wire.command('EHLO client.test');
    await wire.command('MAIL FROM:<sam@sender.test>');
    await wire.command(`RCPT TO:<alice@${HOSTED}>`);
    await wire.command('DATA');
    wire.write(`From: sam@sender.test\r\n\r\n${bigBody(200 * 1024)}bare\nline\r\n`);
    expect((await wire.command('.')).lines[0]).toMatch(/^554 5\.6\.0 /);
    wire.destroy();
    expect(await spillFiles()).toEqual([]);
    expect((await h.mailbox(h.aliases.alice)).length).toBe(before);
  });
});

describe('large messages on submission', () => {
  test('signed as a stream: local copy, Sent copy and queued copy carry one valid DKIM signature', async () => {
    const alice = `alice@${HOSTED}`;
    const raw = message({ from: alice, to: `bob@${HOSTED}`, body: bigBody(400 * 1024) });
    const transport = createTransport({
      host: '127.0.0.1',
      port: submissionPort,
      secure: true,
      auth: { user: alice, pass: PASSWORD },
      tls: { rejectUnauthorized: false },
    });
    await transport.sendMail({ envelope: { from: alice, to: [`bob@${HOSTED}`, `carol@${REMOTE}`] }, raw });
    const atBob = (await h.mailbox(h.aliases.bob)).at(-1) ?? Buffer.alloc(0);
    expect(atBob.subarray(atBob.length - raw.length).equals(raw)).toBe(true);
    const verified = await dkimVerify(atBob, { resolver: submission.state.ctx.dns.mailauth });
    expect(verified.results[0]?.status.result).toBe('pass');
    const sent = (await h.mailbox(h.aliases.alice, 'Sent')).at(-1);
    expect(sent?.equals(atBob)).toBe(true);
    const claimed = await h.control.claimDue('test-worker', new Date(Date.now() + 60_000), 10);
    const queued = claimed.find((item) => item.recipients.some((r) => r.address === `carol@${REMOTE}`));
    expect(queued?.body.equals(atBob)).toBe(true);
    expect(await spillFiles()).toEqual([]);
  });
});
