/**
 * Forwarding and outbound delivery end to end: MX -> queue -> worker -> a remote MX on 127.0.0.1 found through
 * the test DNS responder; retries, bounces, null MX, MTA-STS and restarts.
 */

import { deriveKey } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { waitFor } from '@mailyard/testkit';
import { authenticate } from 'mailauth';
import { createTransport } from 'nodemailer';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { NO_MTA_STS } from '../src/outbound/mta-sts.js';
import { createOutboundWorker, type OutboundDeps, type OutboundWorker } from '../src/outbound/worker.js';
import { createSrs } from '../src/srs.js';
import { dkimKey, type Harness, HOSTED, message, publishDkim, REMOTE, type RemoteMx } from './harness.js';
import { type MxFixture, startMxFixture } from './mx-fixture.js';

let fixture: MxFixture;
let h: Harness;
let mx: SmtpListener;
let mxPort: number;
let remote: RemoteMx;

beforeAll(async () => {
  fixture = await startMxFixture();
  ({ h, mx, mxPort, remote } = fixture);
  const senderKey = dkimKey('s1');
  publishDkim(h.dns, 'sender.test', senderKey);
  h.dns.table.txt.set('_dmarc.sender.test', [['v=DMARC1; p=reject']]);
  signer.key = senderKey;
});

afterAll(() => fixture.close());

beforeEach(() => {
  remote.received.length = 0;
  remote.dataReplies.length = 0;
  remote.refuseRcpt.clear();
});

const signer: { key?: ReturnType<typeof dkimKey> } = {};

const workers: OutboundWorker[] = [];

/** Stopped after each test, which closes its pooled sessions to the remote. */
function worker(extra: Partial<OutboundDeps> = {}) {
  const created = createOutboundWorker({
    ...h.deps(),
    mtaSts: NO_MTA_STS,
    portOverride: remote.port,
    retryDelayMs: () => 0,
    ...extra,
  });
  workers.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

async function sendToMx(to: string, raw: Buffer, from = 'sam@sender.test') {
  const transport = createTransport({
    host: '127.0.0.1',
    port: mxPort,
    secure: false,
    name: 'client.sender.test',
    tls: { rejectUnauthorized: false },
  });
  return transport.sendMail({ envelope: { from, to: [to] }, raw });
}

async function signed(raw: Buffer): Promise<Buffer> {
  const { dkimSign } = await import('mailauth');
  const key = signer.key;
  if (!key) throw new Error('no key');
  const signature = { signingDomain: 'sender.test', selector: key.selector, privateKey: key.privateKeyPem };
  const result = await dkimSign(raw, { ...signature, signatureData: [signature] });
  return Buffer.concat([Buffer.from(result.signatures), raw]);
}

describe('forwarding', () => {
  test('forwarded mail reaches the remote with an SRS sender and passes SPF, DKIM, DMARC and ARC there', async () => {
    const raw = await signed(message({ from: 'sam@sender.test', to: `fwd@${HOSTED}` }));
    await sendToMx(`fwd@${HOSTED}`, raw);
    expect(await worker().runOnce()).toBe(1);
    expect(remote.received).toHaveLength(1);
    const got = remote.received[0];
    expect(got?.to).toEqual([`carol@${REMOTE}`]);
    expect(got?.from).toMatch(/^SRS0=[^=]{4}=[A-Z2-7]{2}=sender\.test=sam@hosted\.test$/);
    const delivered = got?.raw ?? Buffer.alloc(0);
    expect(delivered.subarray(delivered.length - raw.length).equals(raw)).toBe(true);
    const verdict = await authenticate(delivered, {
      ip: '127.0.0.1',
      helo: 'mx.hosted.test',
      sender: got?.from ?? '',
      mta: 'mx.remote.test',
      resolver: mx.state.ctx.dns.mailauth,
    });
    expect((verdict.spf || undefined)?.status.result).toBe('pass');
    expect(verdict.dkim.results[0]?.status.result).toBe('pass');
    expect((verdict.dmarc || undefined)?.status.result).toBe('pass');
    expect((verdict.arc || undefined)?.status.result).toBe('pass');
    const srs = createSrs(deriveKey(h.masterKey, 'smtp.srs'));
    expect(srs.reverse((got?.from ?? '').split('@')[0] ?? '')).toBe('sam@sender.test');
  });

  test('an alias with a mailbox and a forward gets both copies', async () => {
    const before = (await h.mailbox(h.aliases.both)).length;
    await sendToMx(`both@${HOSTED}`, message({ from: 'sam@sender.test', to: `both@${HOSTED}` }));
    expect((await h.mailbox(h.aliases.both)).length).toBe(before + 1);
    await worker().runOnce();
    expect(remote.received.map((m) => m.to)).toEqual([[`dave@${REMOTE}`]]);
  });
});

describe('SRS returns', () => {
  test('a bounce to a forward returns through SRS to the original sender; forged SRS is refused', async () => {
    remote.refuseRcpt.set(`carol@${REMOTE}`, [550, '5.1.1 carol left']);
    await sendToMx(`fwd@${HOSTED}`, message({ from: 'sam@sender.test', to: `fwd@${HOSTED}` }));
    await worker().runOnce();
    const [bounce] = await h.control.listRecent(1);
    expect(bounce).toMatchObject({ envelopeFrom: '', recipients: [{ address: 'sam@sender.test', status: 'pending' }] });

    const srs = createSrs(deriveKey(h.masterKey, 'smtp.srs'));
    const returnPath = srs.forward('sam@sender.test', HOSTED);
    const accepted = await sendToMx(returnPath, message({ from: 'MAILER-DAEMON@remote.test', to: returnPath }), '');
    expect(accepted.response).toMatch(/^250 /);
    const [relayed] = await h.control.listRecent(1);
    expect(relayed).toMatchObject({ envelopeFrom: '', recipients: [{ address: 'sam@sender.test' }] });
    const forged = returnPath.replace(/^SRS0=..../, 'SRS0=AAAA');
    await expect(sendToMx(forged, message({ from: 'x@remote.test', to: forged }), '')).rejects.toMatchObject({
      response: expect.stringMatching(/^550 5\.1\.1 /),
    });
    const w = worker();
    while ((await w.runOnce()) > 0) {}
  });
});

describe('outbound retries and bounces', () => {
  test('451 twice then 250: retried until delivered, every attempt logged', async () => {
    remote.dataReplies.push([451, '4.3.0 try later'], [451, '4.3.0 still busy']);
    await sendToMx(`fwd@${HOSTED}`, message({ from: 'sam@sender.test', to: `fwd@${HOSTED}` }));
    const w = worker();
    for (let i = 0; i < 3; i++) expect(await w.runOnce()).toBe(1);
    expect(await w.runOnce()).toBe(0);
    expect(remote.received).toHaveLength(1);
    const [item] = await h.control.listRecent(1);
    expect(item).toMatchObject({ state: 'delivered', attempts: 3 });
    const log = await h.control.deliveryLog(item?.id ?? '');
    expect(log.map((e) => e.status)).toEqual(['deferred', 'deferred', 'delivered']);
  });

  test('a 550 produces exactly one bounce, in the sender mailbox, with the null sender', async () => {
    remote.refuseRcpt.set(`nobody@${REMOTE}`, [550, '5.1.1 no such user']);
    const before = (await h.mailbox(h.aliases.alice)).length;
    await h.control.enqueue({
      envelopeFrom: `alice@${HOSTED}`,
      recipients: [`nobody@${REMOTE}`],
      body: message({ from: `alice@${HOSTED}`, to: `nobody@${REMOTE}`, subject: 'doomed' }),
    });
    const w = worker();
    await w.runOnce();
    await w.runOnce();
    const inbox = await h.mailbox(h.aliases.alice);
    expect(inbox.length).toBe(before + 1);
    const bounce = (inbox.at(-1) ?? Buffer.alloc(0)).toString();
    expect(bounce).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/);
    expect(bounce).toContain('Content-Type: message/delivery-status');
    expect(bounce).toContain(`Final-Recipient: rfc822; nobody@${REMOTE}`);
    expect(bounce).toContain('Action: failed');
    expect(bounce).toContain('Status: 5.1.1');
    expect(bounce).toContain('Subject: doomed');
    expect(remote.received).toHaveLength(0);
  });

  test('NOTIFY=NEVER: a 550 records the failure and sends no bounce (RFC 3461 §4.1)', async () => {
    remote.refuseRcpt.set(`quiet@${REMOTE}`, [550, '5.1.1 no such user']);
    const before = (await h.mailbox(h.aliases.alice)).length;
    const queued = await h.control.enqueue({
      envelopeFrom: `alice@${HOSTED}`,
      recipients: [`quiet@${REMOTE}`],
      body: message({ from: `alice@${HOSTED}`, to: `quiet@${REMOTE}` }),
      dsn: { recipients: { [`quiet@${REMOTE}`]: { notify: ['NEVER'] } } },
    });
    expect(await worker().runOnce()).toBe(1);
    const log = await h.control.deliveryLog(queued.id);
    expect(log.map((e) => e.status)).toEqual(['failed']);
    expect((await h.mailbox(h.aliases.alice)).length).toBe(before);
    const [latest] = await h.control.listRecent(1);
    expect(latest?.id).toBe(queued.id);
  });

  test('RET=HDRS, ENVID and ORCPT: the bounce holds headers only and reports both (RFC 3464 §2.2.1, §2.3.1)', async () => {
    remote.refuseRcpt.set(`gone2@${REMOTE}`, [550, '5.1.1 gone']);
    const body = message({ from: `alice@${HOSTED}`, to: `gone2@${REMOTE}`, subject: 'hdrs', body: 'SECRET-BODY' });
    await h.control.enqueue({
      envelopeFrom: `alice@${HOSTED}`,
      recipients: [`gone2@${REMOTE}`],
      body,
      dsn: { ret: 'HDRS', envid: 'QQ314159', recipients: { [`gone2@${REMOTE}`]: { orcpt: 'rfc822;Old.Name@x.test' } } },
    });
    await worker().runOnce();
    const bounce = ((await h.mailbox(h.aliases.alice)).at(-1) ?? Buffer.alloc(0)).toString();
    expect(bounce).toContain('Original-Envelope-Id: QQ314159\r\nReporting-MTA: dns; ');
    expect(bounce).toContain(`Original-Recipient: rfc822; Old.Name@x.test\r\nFinal-Recipient: rfc822; gone2@${REMOTE}`);
    expect(bounce).toContain('Content-Type: text/rfc822-headers');
    expect(bounce).toContain('Subject: hdrs');
    expect(bounce).not.toContain('SECRET-BODY');
  });

  test('RET=FULL: the bounce returns the whole message as message/rfc822', async () => {
    remote.refuseRcpt.set(`gone3@${REMOTE}`, [550, '5.1.1 gone']);
    const body = message({ from: `alice@${HOSTED}`, to: `gone3@${REMOTE}`, subject: 'full', body: 'WHOLE-BODY' });
    await h.control.enqueue({
      envelopeFrom: `alice@${HOSTED}`,
      recipients: [`gone3@${REMOTE}`],
      body,
      dsn: { ret: 'FULL' },
    });
    await worker().runOnce();
    const bounce = (await h.mailbox(h.aliases.alice)).at(-1) ?? Buffer.alloc(0);
    expect(bounce.includes(Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n'), body]))).toBe(true);
  });

  test('DSN parameters are relayed to a next hop that supports DSN (RFC 3461 §6.2), per recipient', async () => {
    await h.control.enqueue({
      envelopeFrom: `alice@${HOSTED}`,
      recipients: [`p1@${REMOTE}`, `p2@${REMOTE}`],
      body: message({ from: `alice@${HOSTED}`, to: `p1@${REMOTE}` }),
      dsn: {
        ret: 'HDRS',
        envid: 'id+1 x',
        recipients: { [`p1@${REMOTE}`]: { notify: ['SUCCESS', 'FAILURE'], orcpt: `rfc822;first@${HOSTED}` } },
      },
    });
    await worker().runOnce();
    const byRecipient = Object.fromEntries(remote.received.map((m) => [m.to.join(','), m.dsn]));
    expect(byRecipient[`p1@${REMOTE}`]).toEqual({
      envelope: { ret: 'HDRS', envid: 'id+1 x' },
      recipients: [{ notify: ['SUCCESS', 'FAILURE'], orcpt: `rfc822;first@${HOSTED}` }],
    });
    expect(byRecipient[`p2@${REMOTE}`]).toEqual({
      envelope: { ret: 'HDRS', envid: 'id+1 x' },
      recipients: [undefined],
    });
  });

  test('a message with the null sender that fails is not bounced (no loops)', async () => {
    remote.refuseRcpt.set(`gone@${REMOTE}`, [550, '5.1.1 gone']);
    const queued = await h.control.enqueue({
      envelopeFrom: '',
      recipients: [`gone@${REMOTE}`],
      body: message({ from: 'MAILER-DAEMON@x.test', to: `gone@${REMOTE}` }),
    });
    await worker().runOnce();
    const recent = await h.control.listRecent(5);
    expect(recent.find((i) => i.id === queued.id)?.state).toBe('failed');
    expect(recent.filter((i) => i.createdAt >= queued.createdAt && i.id !== queued.id)).toHaveLength(0);
  });

  test('null MX fails at once; a missing domain fails; DNS answers nothing for MX: falls back to A', async () => {
    h.dns.table.mx.set('nullmx.test', [{ preference: 0, exchange: '' }]);
    h.dns.table.a.set('a-only.test', ['127.0.0.1']);
    const item = await h.control.enqueue({
      envelopeFrom: '',
      recipients: ['x@nullmx.test', 'y@does-not-exist.test', 'z@a-only.test'],
      body: message({ from: 'MAILER-DAEMON@x.test', to: 'x@nullmx.test' }),
    });
    await worker().runOnce();
    const log = await h.control.deliveryLog(item.id);
    const status = Object.fromEntries(log.map((e) => [e.recipient, e.status]));
    expect(status).toEqual({
      'x@nullmx.test': 'failed',
      'y@does-not-exist.test': 'failed',
      'z@a-only.test': 'delivered',
    });
  });

  test('MTA-STS enforce with no matching MX defers instead of delivering in the clear', async () => {
    const item = await h.control.enqueue({
      envelopeFrom: '',
      recipients: [`e@${REMOTE}`],
      body: message({ from: 'a@b.test', to: `e@${REMOTE}` }),
    });
    const strict = worker({ mtaSts: { policyFor: async () => ({ mode: 'enforce', mx: ['mail.elsewhere.test'] }) } });
    await strict.runOnce();
    const log = await h.control.deliveryLog(item.id);
    expect(log.map((e) => e.status)).toEqual(['deferred']);
    expect(log[0]?.message).toMatch(/MTA-STS/);
    expect(remote.received).toHaveLength(0);
    const matching = worker({ mtaSts: { policyFor: async () => ({ mode: 'testing', mx: [`*.${REMOTE}`] }) } });
    await matching.runOnce();
    expect(remote.received).toHaveLength(1);
  });

  test('the running worker claims more as each message finishes: a slow destination holds only its slot', async () => {
    h.dns.table.a.set('slow.test', ['127.0.0.1']);
    const opened: Array<(value: null) => void> = [];
    const gate = { promise: new Promise<null>((resolve) => opened.push(resolve)) };
    const release = () => opened[0]?.(null);
    // The slow domain's MTA-STS lookup hangs until released: its delivery occupies one of the two slots.
    const mtaSts = { policyFor: (domain: string) => (domain === 'slow.test' ? gate.promise : Promise.resolve(null)) };
    const { config } = h.deps();
    const w = worker({ mtaSts, config: { ...config, smtp: { ...config.smtp, outboundConcurrency: 2 } } });
    const body = message({ from: 'a@b.test', to: 'x@slow.test' });
    await h.control.enqueue({ envelopeFrom: '', recipients: ['x@slow.test'], body });
    for (let i = 0; i < 4; i++) await h.control.enqueue({ envelopeFrom: '', recipients: [`f${i}@${REMOTE}`], body });
    w.start();
    await waitFor(() => remote.received.length >= 4);
    expect(remote.received.map((m) => m.to[0]).sort()).toEqual([0, 1, 2, 3].map((i) => `f${i}@${REMOTE}`));
    release();
    await w.stop();
    expect(remote.received.map((m) => m.to[0])).toContain('x@slow.test');
  });

  test('a restart loses nothing: a queued message survives closing and reopening the control store', async () => {
    const body = message({ from: 'a@b.test', to: `after@${REMOTE}` });
    await h.control.enqueue({ envelopeFrom: '', recipients: [`after@${REMOTE}`], body });
    const reopened = new SqliteControlStore({ dataDir: h.dir.path, masterKey: h.masterKey });
    try {
      await worker({ control: reopened }).runOnce();
    } finally {
      await reopened.close();
    }
    expect(remote.received.map((m) => m.raw.equals(body))).toEqual([true]);
  });
});
