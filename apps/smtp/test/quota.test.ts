/**
 * Mailbox quotas at the MX, with nodemailer and a raw SMTP socket: 452 4.2.2 at RCPT for a full mailbox, 552 5.2.2
 * when SIZE= is over the whole quota, the other recipients of the transaction delivered; the re-check after DATA
 * with the real size (a DSN for the recipient left out, or the DATA refusal when none is left); and the usage the
 * control store learns once a session drains the spool.
 */

import { Mailstore } from '@mailyard/mailstore';
import { controlQuotaSource } from '@mailyard/runtime';
import { waitFor } from '@mailyard/testkit';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { type Harness, HOSTED, message, PASSWORD, startHarness } from './harness.js';
import { Wire } from './wire.js';

let h: Harness;
let mx: SmtpListener;
let port: number;
const alice = () => `alice@${HOSTED}`;
const bob = () => `bob@${HOSTED}`;

beforeAll(async () => {
  h = await startHarness();
  mx = createMxServer(h.deps());
  port = await mx.listen(0, '127.0.0.1');
  h.dns.table.txt.set('sender.test', [['v=spf1 ip4:127.0.0.1 -all']]);
});

afterAll(async () => {
  await mx.close(1000);
  await h.close();
});

function send(to: string[], raw: Buffer) {
  const transport = createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    name: 'client.sender.test',
    tls: { rejectUnauthorized: false },
  });
  return transport.sendMail({ envelope: { from: 'sam@sender.test', to }, raw });
}

async function session(): Promise<Wire> {
  const wire = await Wire.open(port);
  expect((await wire.reply()).code).toBe(220);
  expect((await wire.command('EHLO client.sender.test')).code).toBe(250);
  return wire;
}

const body = (n: number, c: string) => `${c.repeat(70)}\r\n`.repeat(Math.ceil(n / 72));

test('over quota at RCPT: 452 4.2.2 for a full mailbox, 552 5.2.2 past the whole quota; others delivered', async () => {
  await h.control.setAliasQuota(h.aliases.alice.id, { maxQuota: 10_000 });
  // 6 KB fits into alice's 10 KB; it stays sealed in her spool (nobody unlocked her mailbox) and counts.
  const first = await send([alice(), bob()], message({ from: 'sam@sender.test', to: alice(), body: body(6000, 'a') }));
  expect(first.accepted).toEqual([alice(), bob()]);

  const wire = await session();
  expect((await wire.command('MAIL FROM:<sam@sender.test> SIZE=20000')).code).toBe(250);
  const tooLarge = await wire.command(`RCPT TO:<${alice()}>`);
  expect(tooLarge.text).toMatch(/^552 5\.2\.2 /);
  expect((await wire.command('RSET')).code).toBe(250);
  expect((await wire.command('MAIL FROM:<sam@sender.test> SIZE=5000')).code).toBe(250);
  expect((await wire.command(`RCPT TO:<${alice()}>`)).text).toMatch(/^452 4\.2\.2 /);
  expect((await wire.command(`RCPT TO:<${bob()}>`)).code).toBe(250);
  expect((await wire.command('DATA')).code).toBe(354);
  wire.write(
    Buffer.concat([message({ from: 'sam@sender.test', to: bob(), subject: 'bob only' }), Buffer.from('.\r\n')]),
  );
  expect((await wire.reply()).code).toBe(250);
  await wire.command('QUIT');

  // A message-count limit: alice holds one message already.
  await h.control.setAliasQuota(h.aliases.alice.id, { maxQuota: 10_000, maxMessages: 1 });
  await expect(send([alice()], message({ from: 'sam@sender.test', to: alice() }))).rejects.toMatchObject({
    response: expect.stringMatching(/^452 4\.2\.2 .*message count/),
  });
  await h.control.setAliasQuota(h.aliases.alice.id, { maxMessages: null });
  expect(await h.mailbox(h.aliases.bob)).toHaveLength(2);
});

test('after DATA the real size decides: the DATA refusal when nobody is left, else a DSN for who is left out', async () => {
  await h.control.setAliasQuota(h.aliases.alice.id, { maxQuota: 12_000 });
  // No SIZE= from nodemailer here: RCPT passes on usage alone, then 6 KB more does not fit.
  await expect(
    send([alice()], message({ from: 'sam@sender.test', to: alice(), body: body(6000, 'b') })),
  ).rejects.toMatchObject({ response: expect.stringMatching(/^452 4\.2\.2 /) });

  const before = (await h.control.listRecent(50)).length;
  const mixed = await send([alice(), bob()], message({ from: 'sam@sender.test', to: bob(), body: body(6000, 'c') }));
  expect(mixed.response).toMatch(/^250 /);
  expect(await h.mailbox(h.aliases.bob)).toHaveLength(3);
  const queued = await h.control.listRecent(50);
  expect(queued.length).toBe(before + 1);
  expect(queued[0]).toMatchObject({ envelopeFrom: '', recipients: [{ address: 'sam@sender.test' }] });
  const [dsn] = await h.control.claimDue('quota-test', new Date(Date.now() + 60_000), 1);
  const text = dsn?.body.toString('latin1') ?? '';
  expect(text).toMatch(/Final-Recipient: rfc822; ?alice@hosted\.test/i);
  expect(text).toMatch(/Status: 5\.2\.2/);
});

test('acknowledged mail lands past the quota, and the drain reports the usage to the control store', async () => {
  const reporting = new Mailstore({
    dataDir: h.config.dataDir,
    kdf: { N: 1024 },
    quotaSource: controlQuotaSource(h.control, h.config.mailbox.quotaBytes),
  });
  try {
    await h.control.setAliasQuota(h.aliases.alice.id, { maxQuota: 1000 });
    const s = await reporting.open(h.aliases.alice.mailboxId ?? '', PASSWORD);
    expect(s.status('INBOX').messages).toBe(1);
    const usage = await waitFor(async () => {
      const q = await h.control.aliasQuota(h.aliases.alice.id);
      return q && q.messageCount === 1 ? q : null;
    });
    expect(usage.storageUsed).toBe(s.quota().usedBytes);
    expect(usage.storageUsed).toBeGreaterThan(6000);
    s.close();
    // The drained mailbox is still over its quota: the next message is refused at RCPT.
    await expect(send([alice()], message({ from: 'sam@sender.test', to: alice() }))).rejects.toMatchObject({
      response: expect.stringMatching(/^452 4\.2\.2 /),
    });
  } finally {
    await reporting.close();
  }
});
