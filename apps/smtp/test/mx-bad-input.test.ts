/** Hostile and broken input on the MX wire: the right reply, nothing partial stored, and the server keeps serving. */
import { waitFor } from '@mailyard/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { type Harness, HOSTED, startHarness } from './harness.js';
import { Wire } from './wire.js';

const MAX_SIZE = 64 * 1024;

let h: Harness;
let mx: SmtpListener;
let port: number;

beforeAll(async () => {
  h = await startHarness({ smtp: { maxMessageSize: MAX_SIZE } });
  mx = createMxServer(h.deps());
  port = await mx.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await mx.close(1000);
  await h.close();
});

async function inboxSize(): Promise<number> {
  return (await h.mailbox(h.aliases.alice)).length;
}

async function ready(): Promise<Wire> {
  const wire = await Wire.open(port);
  expect((await wire.reply()).code).toBe(220);
  expect((await wire.command('EHLO client.test')).code).toBe(250);
  return wire;
}

async function inTransaction(): Promise<Wire> {
  const wire = await ready();
  expect((await wire.command('MAIL FROM:<sam@sender.test>')).code).toBe(250);
  expect((await wire.command(`RCPT TO:<alice@${HOSTED}>`)).code).toBe(250);
  expect((await wire.command('DATA')).code).toBe(354);
  return wire;
}

/** After every case: a fresh client still gets a message through, and the byte budget is back to zero. */
afterEach(async () => {
  const before = await inboxSize();
  const wire = await inTransaction();
  const reply = await wire.command('From: sam@sender.test\r\nSubject: still alive\r\n\r\nok\r\n.');
  expect(reply.lines[0]).toMatch(/^250 2\.6\.0 /);
  await wire.command('QUIT');
  expect(await inboxSize()).toBe(before + 1);
  expect(mx.state.ctx.budget.inUse).toBe(0);
});

describe('malformed commands', () => {
  test.each([
    ['unknown verb', 'FROB x', /^500 5\.5\.2 /],
    ['MAIL without angle brackets', 'MAIL FROM:sam@sender.test', /^501 /],
    ['RCPT before MAIL', `RCPT TO:<alice@${HOSTED}>`, /^503 /],
    ['DATA before RCPT', 'DATA', /^503 /],
    ['NUL in a command', 'MAIL FROM:<sam\u0000@sender.test>', /^5\d\d /],
    ['bare address domain literal junk', 'RCPT TO:<@@@>', /^50\d /],
  ])('%s', async (_name, line, expected) => {
    const wire = await ready();
    expect((await wire.command(line)).lines[0]).toMatch(expected);
    expect((await wire.command('NOOP')).code).toBe(250);
    wire.destroy();
  });

  test('a command line past the limit gets 421 and the connection closes', async () => {
    const wire = await ready();
    wire.write(`MAIL FROM:<${'a'.repeat(10_000)}@sender.test>\r\n`);
    expect((await wire.reply()).code).toBe(421);
    expect(await wire.closedByServer()).toBe(true);
  });
});

describe('broken DATA', () => {
  test.each([
    ['bare LF line endings', 'From: sam@sender.test\nSubject: smuggled\n\nbody\r\n.', /^554 5\.6\.0 /],
    ['bare LF dot smuggling', 'From: sam@sender.test\r\n\r\nbody\n.\nMAIL FROM:<x@y>\r\n.', /^554 5\.6\.0 /],
    ['NUL bytes', 'From: sam@sender.test\r\n\r\nbo\u0000dy\r\n.', /^554 5\.6\.0 /],
    ['bare CR in the body', 'From: sam@sender.test\r\n\r\nbody\rmore\r\n.', /^554 5\.6\.0 .*bare CR/],
    [
      'a From hidden behind a bare CR',
      'X-Note: hi\rFrom: ceo@bank.test\r\nSubject: x\r\n\r\nbody\r\n.',
      /^554 5\.6\.0 /,
    ],
    ['bare CR dot smuggling', 'From: sam@sender.test\r\n\r\nbody\r.\rMAIL FROM:<x@y>\r\n.', /^554 5\.6\.0 /],
  ])('%s: refused, nothing stored', async (_name, data, expected) => {
    const before = await inboxSize();
    const wire = await inTransaction();
    expect((await wire.command(data)).lines[0]).toMatch(expected);
    expect((await wire.command('NOOP')).code).toBe(250);
    wire.destroy();
    expect(await inboxSize()).toBe(before);
  });

  test('over-size message: 552 5.3.4 after the final dot, nothing stored, excess not buffered', async () => {
    const before = await inboxSize();
    const wire = await inTransaction();
    const line = `${'x'.repeat(998)}\r\n`;
    wire.write('From: sam@sender.test\r\n\r\n');
    for (let sent = 0; sent < MAX_SIZE * 4; sent += line.length) wire.write(line);
    expect(mx.state.ctx.budget.inUse).toBeLessThanOrEqual(MAX_SIZE);
    const reply = await wire.command('.');
    expect(reply.lines[0]).toMatch(/^552 5\.3\.4 /);
    wire.destroy();
    expect(await inboxSize()).toBe(before);
  });

  test('SIZE= above the limit is refused at MAIL FROM', async () => {
    const wire = await ready();
    expect((await wire.command(`MAIL FROM:<sam@sender.test> SIZE=${MAX_SIZE + 1}`)).lines[0]).toMatch(/^552 /);
    wire.destroy();
  });

  test('client disconnecting mid-DATA: nothing stored', async () => {
    const before = await inboxSize();
    const wire = await inTransaction();
    wire.write('From: sam@sender.test\r\nSubject: cut\r\n\r\nhalf a mess');
    await waitFor(() => mx.state.inflight.count === 1);
    wire.destroy();
    await waitFor(() => mx.state.inflight.count === 0);
    expect(await inboxSize()).toBe(before);
  });
});

describe('DSN parameters (RFC 3461)', () => {
  test.each([
    ['ENVID with a bare CR', 'MAIL FROM:<sam@sender.test> ENVID=abc\rdef'],
    ['ENVID with an xtext CR', 'MAIL FROM:<sam@sender.test> ENVID=abc+0Ddef'],
  ])('%s is refused with 501', async (_name, line) => {
    const wire = await ready();
    expect((await wire.command(line)).lines[0]).toMatch(/^501 /);
    expect((await wire.command('NOOP')).code).toBe(250);
    wire.destroy();
  });

  test.each([
    ['ORCPT with a bare CR', `RCPT TO:<alice@${HOSTED}> ORCPT=rfc822;alice\r@${HOSTED}`],
    ['ORCPT with an xtext CR', `RCPT TO:<alice@${HOSTED}> ORCPT=rfc822;alice+0D@${HOSTED}`],
  ])('%s is refused with 501', async (_name, line) => {
    const wire = await ready();
    expect((await wire.command('MAIL FROM:<sam@sender.test>')).code).toBe(250);
    expect((await wire.command(line)).lines[0]).toMatch(/^501 /);
    expect((await wire.command(`RCPT TO:<alice@${HOSTED}>`)).code).toBe(250);
    wire.destroy();
  });
});

describe('AUTH on the MX', () => {
  test('answers 502 5.5.1 (no AUTH here), not a STARTTLS hint, before and after TLS', async () => {
    const wire = await ready();
    expect((await wire.command('AUTH PLAIN AGFAAGI=')).lines[0]).toMatch(/^502 5\.5\.1 AUTH not available/);
    expect((await wire.command('STARTTLS')).code).toBe(220);
    await wire.startTls();
    expect((await wire.command('EHLO client.test')).text).not.toMatch(/AUTH/);
    expect((await wire.command('AUTH PLAIN AGFAAGI=')).lines[0]).toMatch(/^502 5\.5\.1 /);
    wire.destroy();
  });
});

describe('forged Authentication-Results (RFC 8601 §5)', () => {
  test("a field with our authserv-id is removed before ours is added; other servers' fields are kept", async () => {
    const wire = await inTransaction();
    const data = [
      'Authentication-Results: mx.hosted.test; dkim=pass header.d=bank.test; dmarc=pass',
      'Authentication-Results: MX.HOSTED.TEST (forged);',
      '\tspf=pass smtp.mailfrom=bank.test',
      'Authentication-Results: relay.example; spf=pass',
      'From: ceo@bank.test',
      'Subject: trust me',
      '',
      'body',
      '.',
    ].join('\r\n');
    expect((await wire.command(data)).lines[0]).toMatch(/^250 /);
    wire.destroy();
    const stored = ((await h.mailbox(h.aliases.alice)).at(-1) ?? Buffer.alloc(0)).toString('latin1');
    const ours = stored.match(/^Authentication-Results: mx\.hosted\.test;/gim) ?? [];
    expect(ours).toHaveLength(1);
    expect(stored).not.toContain('dkim=pass header.d=bank.test');
    expect(stored).not.toContain('(forged)');
    expect(stored).toContain('Authentication-Results: relay.example; spf=pass\r\nFrom: ceo@bank.test');
    expect(stored.endsWith('Subject: trust me\r\n\r\nbody\r\n')).toBe(true);
  });
});

describe('STARTTLS', () => {
  test('commands pipelined after STARTTLS are discarded (CVE-2011-0411 class)', async () => {
    const wire = await ready();
    wire.write(`STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\nRCPT TO:<alice@${HOSTED}>\r\n`);
    expect((await wire.reply()).lines[0]).toMatch(/^220 /);
    await wire.startTls();
    expect((await wire.command('EHLO client.test')).code).toBe(250);
    expect((await wire.command(`RCPT TO:<alice@${HOSTED}>`)).lines[0]).toMatch(/^503 /);
    expect((await wire.command('MAIL FROM:<sam@sender.test>')).code).toBe(250);
    wire.destroy();
  });
});
