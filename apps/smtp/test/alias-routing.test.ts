/**
 * Aliases as people use them, over real SMTP on 127.0.0.1: wildcard and regular-expression aliases receive mail
 * (in the routing order exact, +tag, wildcards, regexes, catch-all); a disabled alias answers RCPT TO by its
 * error_code_if_disabled (250 with nothing stored and a 'discarded' mail log line, 450 4.2.1, 550 5.1.1) while the
 * other recipients of the same transaction get the message; an external forward awaiting recipient verification
 * gets nothing until it confirms, through the verification email the outbound worker delivers to a remote MX.
 */
import type { Alias } from '@mailyard/control';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMessageSender } from '../src/message-sender.js';
import { NO_MTA_STS } from '../src/outbound/mta-sts.js';
import { createOutboundWorker, type OutboundWorker } from '../src/outbound/worker.js';
import { addMailbox, type Harness, HOSTED, message, REMOTE, type RemoteMx } from './harness.js';
import { type MxFixture, startMxFixture } from './mx-fixture.js';
import { Wire } from './wire.js';

let fixture: MxFixture;
let h: Harness;
let mxPort: number;
let remote: RemoteMx;
let worker: OutboundWorker;
let domainId: string;
const events = () => fixture.mailEvents();

async function aliasWithMailbox(input: Parameters<Harness['control']['createAlias']>[1]): Promise<Alias> {
  return addMailbox(h, await h.control.createAlias(domainId, input));
}

/** One SMTP transaction by hand: the reply to each RCPT TO, then DATA's reply when any recipient was accepted. */
async function transaction(recipients: string[], subject: string) {
  const wire = await Wire.open(mxPort);
  try {
    await wire.reply();
    await wire.command('EHLO sender.test');
    await wire.command('MAIL FROM:<sam@sender.test>');
    const rcpt = [];
    for (const to of recipients) rcpt.push(await wire.command(`RCPT TO:<${to}>`));
    let data = null;
    if (rcpt.some((r) => r.code === 250)) {
      await wire.command('DATA');
      const body = message({ from: 'sam@sender.test', to: recipients[0] ?? '', subject }).toString('latin1');
      data = await wire.command(`${body.replace(/\r\n$/, '')}\r\n.`);
    }
    await wire.command('QUIT');
    return { rcpt: rcpt.map((r) => r.text), data };
  } finally {
    await wire.closedByServer().catch(() => undefined);
  }
}

function subjects(raws: Buffer[]): string[] {
  return raws.map((raw) => /^Subject: (.*)$/m.exec(raw.toString('latin1'))?.[1]?.trim() ?? '');
}

beforeAll(async () => {
  fixture = await startMxFixture({ spam: { enabled: false } });
  ({ h, mxPort, remote, domainId } = fixture);
  worker = createOutboundWorker({ ...h.deps(), mtaSts: NO_MTA_STS, portOverride: remote.port, retryDelayMs: () => 0 });
});

afterAll(() => fixture.close());

describe('pattern aliases over SMTP', () => {
  test('wildcard and regex aliases receive; the order decides between overlapping ones', async () => {
    const sales = await aliasWithMailbox({ name: 'sales-*' });
    const salesEu = await aliasWithMailbox({ name: 'sales-eu-*' });
    const tickets = await aliasWithMailbox({ name: '/^ticket-\\d{1,6}$/' });
    const result = await transaction(
      [
        `sales-1@${HOSTED}`,
        `sales-eu-9@${HOSTED}`,
        `ticket-42@${HOSTED}`,
        `ticket-42+x@${HOSTED}`,
        `ticket-x@${HOSTED}`,
      ],
      'patterns',
    );
    expect(result.rcpt.slice(0, 4).every((r) => r.startsWith('250'))).toBe(true);
    expect(result.rcpt[4]).toMatch(/^550 5\.1\.1/);
    expect(result.data?.code).toBe(250);
    expect(subjects(await h.mailbox(sales))).toEqual(['patterns']);
    expect(subjects(await h.mailbox(salesEu))).toEqual(['patterns']);
    // Two addresses of one alias in one transaction: one copy.
    expect(subjects(await h.mailbox(tickets))).toEqual(['patterns']);
  });

  test('a hostile regex alias answers a long hostile local part at once', async () => {
    await h.control.createAlias(domainId, { name: '/^(a+)+$/', recipients: [`hostile@${REMOTE}`] });
    // 64 octets is the longest local part patterns see (RFC 5321 §4.5.3.1.1); past it the name is unknown.
    const result = await transaction([`${'a'.repeat(63)}!@${HOSTED}`, `${'a'.repeat(200)}@${HOSTED}`], 'hostile');
    expect(result.rcpt).toEqual([expect.stringMatching(/^550 5\.1\.1/), expect.stringMatching(/^550 5\.1\.1/)]);
  });
});

describe('disabled aliases over SMTP', () => {
  test('250 discards, 421 defers with 450 4.2.1, 550 refuses; the others still get the message', async () => {
    const discard = await aliasWithMailbox({ name: 'off-quiet', isEnabled: false, errorCodeIfDisabled: 250 });
    const defer = await aliasWithMailbox({ name: 'off-later', isEnabled: false, errorCodeIfDisabled: 421 });
    await aliasWithMailbox({ name: 'off-gone', isEnabled: false, errorCodeIfDisabled: 550 });
    const result = await transaction(
      [`alice@${HOSTED}`, `off-quiet@${HOSTED}`, `off-later@${HOSTED}`, `off-gone+tag@${HOSTED}`],
      'disabled',
    );
    expect(result.rcpt[0]).toMatch(/^250/);
    expect(result.rcpt[1]).toMatch(/^250/);
    expect(result.rcpt[2]).toMatch(/^450 4\.2\.1 /);
    expect(result.rcpt[3]).toMatch(/^550 5\.1\.1 /);
    expect(result.data?.code).toBe(250);
    expect(subjects(await h.mailbox(h.aliases.alice))).toContain('disabled');
    expect(await h.mailbox(discard)).toEqual([]);
    expect(await h.mailbox(defer)).toEqual([]);
    await waitFor(async () => (await events()).some((e) => e.event === 'discarded'), 20_000);
    const logged = (await events()).map((e) => [e.recipient, e.event]);
    expect(logged).toEqual(
      expect.arrayContaining([
        [`off-quiet@${HOSTED}`, 'discarded'],
        [`off-later@${HOSTED}`, 'deferred'],
        [`off-gone+tag@${HOSTED}`, 'rejected'],
        [`alice@${HOSTED}`, 'delivered'],
      ]),
    );
  });

  test('only-discarded recipients: DATA is acknowledged and nothing is stored', async () => {
    const quiet = await aliasWithMailbox({ name: 'off-alone', isEnabled: false });
    const result = await transaction([`off-alone@${HOSTED}`], 'alone');
    expect(result.rcpt).toEqual([expect.stringMatching(/^250/)]);
    expect(result.data?.code).toBe(250);
    expect(await h.mailbox(quiet)).toEqual([]);
  });
});

describe('recipient verification', () => {
  test('a forward waits for its confirmation; local delivery does not', async () => {
    const sender = createMessageSender(h.deps());
    const both = await aliasWithMailbox({
      name: 'verified-both',
      recipients: [`erin@${REMOTE}`],
      hasRecipientVerification: true,
    });
    const only = await h.control.createAlias(domainId, {
      name: 'verified-only',
      recipients: [`erin@${REMOTE}`],
      hasRecipientVerification: true,
    });
    const issued = [
      ...(await h.control.syncRecipientVerifications(both.id)),
      ...(await h.control.syncRecipientVerifications(only.id)),
    ];
    expect(issued.map((i) => i.recipient)).toEqual([`erin@${REMOTE}`, `erin@${REMOTE}`]);
    for (const i of issued) {
      await sender.sendVerificationRequest({
        aliasAddress: `${i.aliasId === both.id ? 'verified-both' : 'verified-only'}@${HOSTED}`,
        domain: HOSTED,
        recipient: i.recipient,
        link: `https://mx.hosted.test/v1/aliases/verify?token=${i.token}`,
      });
    }
    await waitFor(async () => (await worker.runOnce()) === 0 && remote.received.length >= 2, 30_000);
    const requests = remote.received.filter((m) => /Confirm forwarding/.test(m.raw.toString('latin1')));
    expect(requests.map((m) => [m.from, m.to])).toEqual([
      [`no-reply@${HOSTED}`, [`erin@${REMOTE}`]],
      [`no-reply@${HOSTED}`, [`erin@${REMOTE}`]],
    ]);
    expect(requests[0]?.raw.toString('latin1')).toMatch(/^DKIM-Signature: .*d=hosted\.test/m);
    // The text does not promise that opening the link confirms: scanners open links; the page's button confirms.
    expect(requests[0]?.raw.toString('latin1')).toMatch(
      /press\r\nthe button on its page \(opening the link alone changes nothing\)/,
    );

    // Before confirming: the mailbox copy only; the forward-only alias defers.
    const before = await transaction([`verified-both@${HOSTED}`, `verified-only@${HOSTED}`], 'before');
    expect(before.rcpt).toEqual([expect.stringMatching(/^250/), expect.stringMatching(/^450 4\.2\.0 /)]);
    expect(await worker.runOnce()).toBe(0);
    expect(subjects(await h.mailbox(both))).toEqual(['before']);

    // The token of the delivered email's link confirms (what POST /v1/aliases/verify, the page's button, does).
    const links = requests.map((m) => /token=(\S+)/.exec(m.raw.toString('latin1'))?.[1] ?? '');
    for (const token of links) expect(await h.control.confirmRecipientVerification(token)).not.toBeNull();
    const received = remote.received.length;
    const after = await transaction([`verified-only@${HOSTED}`], 'after');
    expect(after.rcpt).toEqual([expect.stringMatching(/^250/)]);
    await waitFor(async () => (await worker.runOnce()) === 0 && remote.received.length > received, 30_000);
    const forwarded = remote.received.slice(received);
    expect(forwarded.map((m) => m.to)).toEqual([[`erin@${REMOTE}`]]);
    expect(subjects(forwarded.map((m) => m.raw))).toEqual(['after']);
  });
});
