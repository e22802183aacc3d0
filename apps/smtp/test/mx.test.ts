import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireTool } from '@mailyard/testkit';
import { dkimSign } from 'mailauth';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { dkimKey, type Harness, HOSTED, message, publishDkim, startHarness } from './harness.js';
import { Wire } from './wire.js';

const run = promisify(execFile);
/** swaks is a Debian tool: missing, its test is skipped with the reason printed (a failure when CI=true). */
const hasSwaks = requireTool('swaks');

let h: Harness;
let mx: SmtpListener;
let port: number;

beforeAll(async () => {
  h = await startHarness();
  mx = createMxServer(h.deps());
  port = await mx.listen(0, '127.0.0.1');
  const senderKey = dkimKey('s1');
  publishDkim(h.dns, 'sender.test', senderKey);
  h.dns.table.txt.set('sender.test', [['v=spf1 ip4:127.0.0.1 -all']]);
  h.dns.table.txt.set('_dmarc.sender.test', [['v=DMARC1; p=reject']]);
  senderSigning.key = senderKey;
  h.dns.table.txt.set('forged.test', [['v=spf1 ip4:192.0.2.1 -all']]);
  h.dns.table.txt.set('_dmarc.forged.test', [['v=DMARC1; p=reject']]);
  h.dns.table.txt.set('lenient.test', [['v=spf1 ip4:192.0.2.1 -all']]);
  h.dns.table.txt.set('_dmarc.lenient.test', [['v=DMARC1; p=none']]);
});

afterAll(async () => {
  await mx.close(1000);
  await h.close();
});

const senderSigning: { key?: ReturnType<typeof dkimKey> } = {};

function transport() {
  return createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    name: 'client.sender.test',
    tls: { rejectUnauthorized: false },
  });
}

async function signedBySender(raw: Buffer): Promise<Buffer> {
  const key = senderSigning.key;
  if (!key) throw new Error('no sender key');
  const signature = { signingDomain: 'sender.test', selector: key.selector, privateKey: key.privateKeyPem };
  const signed = await dkimSign(raw, { ...signature, signatureData: [signature] });
  return Buffer.concat([Buffer.from(signed.signatures), raw]);
}

/** Asserts `stored` is our added header fields followed by exactly `sent`, and returns the added part. */
function addedHeaders(stored: Buffer, sent: Buffer): string {
  expect(stored.subarray(stored.length - sent.length).equals(sent)).toBe(true);
  const added = stored.subarray(0, stored.length - sent.length).toString('latin1');
  expect(added.startsWith('Received: from ')).toBe(true);
  expect(added.endsWith('\r\n')).toBe(true);
  expect(added).not.toContain('\r\n\r\n');
  return added;
}

describe('inbound MX end to end', () => {
  test('nodemailer: a DKIM-signed message arrives byte-identical after our headers, with SPF/DKIM/DMARC pass', async () => {
    const raw = await signedBySender(message({ from: 'Sam <sam@sender.test>', to: `alice@${HOSTED}` }));
    const info = await transport().sendMail({ envelope: { from: 'sam@sender.test', to: [`alice@${HOSTED}`] }, raw });
    expect(info.response).toMatch(/^250 2\.6\.0 Ok: queued as [0-9A-F]+/);
    const inbox = await h.mailbox(h.aliases.alice);
    const stored = inbox.at(-1) ?? Buffer.alloc(0);
    const added = addedHeaders(stored, raw);
    expect(added).toMatch(/Authentication-Results: mx\.hosted\.test;/);
    expect(added).toMatch(/spf=pass/);
    expect(added).toMatch(/dkim=pass/);
    expect(added).toMatch(/dmarc=pass/);
    expect(added).toMatch(/by mx\.hosted\.test with ESMTPS? id [0-9A-F]+\r\n\tfor <alice@hosted\.test>/);
  });

  test.skipIf(!hasSwaks)('swaks: a +tag subaddress reaches the base alias', async () => {
    const before = (await h.mailbox(h.aliases.alice)).length;
    const { stdout } = await run('swaks', [
      '--server',
      `127.0.0.1:${port}`,
      '--from',
      'swaks@lenient.test',
      '--to',
      `Alice+News@${HOSTED}`,
      '--helo',
      'swaks.lenient.test',
      '--header',
      'Subject: via swaks',
      '--body',
      'sent by swaks',
    ]);
    expect(stdout).toMatch(/<- {2}250 2\.6\.0 Ok: queued/);
    const inbox = await h.mailbox(h.aliases.alice);
    expect(inbox.length).toBe(before + 1);
    const stored = (inbox.at(-1) ?? Buffer.alloc(0)).toString();
    expect(stored).toContain('Subject: via swaks');
    expect(stored).toContain('dmarc=fail');
  });

  test('DMARC p=reject failure is refused with 550 5.7.1 and nothing is stored', async () => {
    const before = (await h.mailbox(h.aliases.alice)).length;
    const raw = message({ from: 'ceo@forged.test', to: `alice@${HOSTED}` });
    const sending = transport().sendMail({ envelope: { from: 'ceo@forged.test', to: [`alice@${HOSTED}`] }, raw });
    await expect(sending).rejects.toMatchObject({
      responseCode: 550,
      response: expect.stringMatching(/^550 5\.7\.1 /),
    });
    expect((await h.mailbox(h.aliases.alice)).length).toBe(before);
  });

  test('DMARC p=none failure is delivered and reported as dmarc=fail, spf=fail', async () => {
    const raw = message({ from: 'news@lenient.test', to: `alice@${HOSTED}` });
    await transport().sendMail({ envelope: { from: 'news@lenient.test', to: [`alice@${HOSTED}`] }, raw });
    const added = addedHeaders((await h.mailbox(h.aliases.alice)).at(-1) ?? Buffer.alloc(0), raw);
    expect(added).toMatch(/spf=fail/);
    expect(added).toMatch(/dmarc=fail/);
    expect(added).toMatch(/dkim=none/);
  });

  test('more than 25 Received headers is a loop: 554 5.4.6', async () => {
    const loop = Array.from(
      { length: 26 },
      (_, i) => `Received: from hop${i}.example by hop${i + 1}.example; ${new Date().toUTCString()}`,
    ).join('\r\n');
    const raw = Buffer.concat([
      Buffer.from(`${loop}\r\n`),
      message({ from: 'sam@sender.test', to: `alice@${HOSTED}` }),
    ]);
    const sending = transport().sendMail({ envelope: { from: 'sam@sender.test', to: [`alice@${HOSTED}`] }, raw });
    await expect(sending).rejects.toMatchObject({ response: expect.stringMatching(/^554 5\.4\.6 /) });
  });
});

describe('MX envelope rules (raw wire)', () => {
  async function session(): Promise<Wire> {
    const wire = await Wire.open(port);
    expect((await wire.reply()).code).toBe(220);
    const ehlo = await wire.command('EHLO client.test');
    expect(ehlo.code).toBe(250);
    return wire;
  }

  test('EHLO advertises the extensions and no AUTH', async () => {
    const wire = await Wire.open(port);
    await wire.reply();
    const ehlo = await wire.command('EHLO client.test');
    for (const ext of [
      'PIPELINING',
      '8BITMIME',
      'SMTPUTF8',
      'ENHANCEDSTATUSCODES',
      'DSN',
      'STARTTLS',
      'SIZE 52428800',
    ]) {
      expect(ehlo.lines.some((l) => l.slice(4) === ext)).toBe(true);
    }
    expect(ehlo.text).not.toMatch(/AUTH/);
    wire.destroy();
  });

  test.each([
    ['unknown alias', `nobody@${HOSTED}`, /^550 5\.1\.1 /],
    ['foreign domain (no open relay)', 'someone@elsewhere.test', /^550 5\.7\.1 /],
    ['catch-all absent, subaddress of unknown', `nobody+x@${HOSTED}`, /^550 5\.1\.1 /],
    ['existing alias', `bob@${HOSTED}`, /^250 2\.1\.5 /],
  ])('RCPT TO %s', async (_name, address, expected) => {
    const wire = await session();
    expect((await wire.command('MAIL FROM:<sam@sender.test>')).code).toBe(250);
    expect((await wire.command(`RCPT TO:<${address}>`)).lines[0]).toMatch(expected);
    wire.destroy();
  });

  test('at most 50 recipients: the 51st gets 452 4.5.3', async () => {
    const wire = await session();
    await wire.command('MAIL FROM:<sam@sender.test>');
    const addresses = Array.from({ length: 51 }, (_, i) => `RCPT TO:<alice+${i}@${HOSTED}>`);
    wire.write(`${addresses.join('\r\n')}\r\n`);
    const replies = [];
    for (let i = 0; i < 51; i++) replies.push(await wire.reply());
    expect(replies.slice(0, 50).every((r) => r.code === 250)).toBe(true);
    expect(replies[50]?.lines[0]).toMatch(/^452 4\.5\.3 /);
    wire.destroy();
  });
});
