/**
 * POST /v1/emails end to end: a message to a hosted mailbox is read back over IMAP (imapflow against the real IMAP
 * server on the same data dir), and one to a remote address goes through the outbound queue worker to a sink MX on
 * 127.0.0.1 found through the test DNS responder, as the outbound tests do; GET /v1/emails/:email follows it from
 * queued to delivered, and shows a deferral with the remote's reply.
 */
import { createOutboundWorker, NO_MTA_STS, type OutboundWorker } from '@mailyard/smtp';
import { captureLog, type DnsServer, startDnsServer } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RemoteMx, startRemoteMx } from '../../smtp/test/harness.js';
import { type Harness, startHarness } from './harness.js';
import { type ImapBeside, imapClient, startImapBeside } from './imap-beside.js';

const DOMAIN = 'deliver.example';
const REMOTE = 'sink.example';

describe('sending over HTTP, delivered', () => {
  let h: Harness;
  let dns: DnsServer;
  let remote: RemoteMx;
  let worker: OutboundWorker;
  let imap: ImapBeside;
  let token: string;
  const reader = { address: `reader@${DOMAIN}`, password: '' };

  beforeAll(async () => {
    dns = await startDnsServer();
    remote = await startRemoteMx();
    dns.table.mx.set(REMOTE, [{ preference: 10, exchange: `mx.${REMOTE}` }]);
    dns.table.a.set(`mx.${REMOTE}`, ['127.0.0.1']);
    h = await startHarness({ signupOpen: true, resolver: dns.address, sender: {} });
    token = await h.signUp(`owner@${DOMAIN}`);
    await h.call('POST', '/v1/domains', { token, json: { name: DOMAIN, verified: true } });
    for (const name of ['me', 'reader']) {
      await h.call('POST', `/v1/domains/${DOMAIN}/aliases`, { token, json: { name, has_imap: true } });
    }
    const issued = await h.call('POST', `/v1/domains/${DOMAIN}/aliases/reader/generate-password`, { token });
    reader.password = issued.body.password;
    worker = createOutboundWorker({
      config: h.config,
      logger: captureLog({ level: 'error' }).logger,
      control: h.control,
      mailstore: h.mailstore,
      masterKey: h.masterKey,
      mtaSts: NO_MTA_STS,
      portOverride: remote.port,
      retryDelayMs: () => 0,
    });
    imap = await startImapBeside(h, { notifyPollMs: 50 });
  });

  afterAll(async () => {
    await worker?.stop();
    await imap?.close();
    await remote?.close();
    await dns?.close();
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('one message to a hosted mailbox (read over IMAP) and a remote one (delivered by the worker)', async () => {
    const sent = await h.call('POST', '/v1/emails', {
      token,
      json: {
        from: `Me <me@${DOMAIN}>`,
        to: [reader.address, `far@${REMOTE}`],
        subject: 'Both ways',
        text: 'Hello near and far',
      },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      status: 'queued',
      recipients: [
        { address: reader.address, status: 'delivered' },
        { address: `far@${REMOTE}`, status: 'pending', attempts: 0 },
      ],
    });

    const client = await imapClient(imap.port, reader);
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const message = (await client.fetchOne('*', { source: true, envelope: true })) || null;
        expect(message?.envelope?.subject).toBe('Both ways');
        const source = message?.source?.toString('utf8') ?? '';
        expect(source).toMatch(/^DKIM-Signature: .*d=deliver\.example/m);
        expect(source).toContain('Hello near and far');
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }

    expect(await worker.runOnce()).toBe(1);
    expect(remote.received).toHaveLength(1);
    expect(remote.received[0]?.from).toBe(`me@${DOMAIN}`);
    expect(remote.received[0]?.to).toEqual([`far@${REMOTE}`]);
    expect(remote.received[0]?.raw.toString('utf8')).toMatch(/^DKIM-Signature: .*d=deliver\.example/m);
    const after = await h.call('GET', `/v1/emails/${sent.body.id}`, { token });
    expect(after.body).toMatchObject({
      status: 'delivered',
      recipients: [
        { address: reader.address, status: 'delivered' },
        { address: `far@${REMOTE}`, status: 'delivered', attempts: 1 },
      ],
    });
  });

  test("a deferral shows with the remote's reply, and the message can still be cancelled", async () => {
    remote.received.length = 0;
    remote.dataReplies.push([451, '4.7.1 greylisted, come back later']);
    const sent = await h.call('POST', '/v1/emails', {
      token,
      json: { from: `me@${DOMAIN}`, to: `later@${REMOTE}`, subject: 'Later', text: 'x' },
    });
    expect(await worker.runOnce()).toBe(1);
    const deferred = await h.call('GET', `/v1/emails/${sent.body.id}`, { token });
    expect(deferred.body).toMatchObject({
      status: 'queued',
      recipients: [{ address: `later@${REMOTE}`, status: 'deferred', attempts: 1 }],
    });
    expect(deferred.body.recipients[0].last_response).toContain('greylisted');
    const cancelled = await h.call('DELETE', `/v1/emails/${sent.body.id}`, { token });
    expect(cancelled.body.status).toBe('cancelled');
    expect(await worker.runOnce()).toBe(0);
    expect(remote.received).toHaveLength(0);
  });

  test('a hosted recipient whose mailbox the message does not fit: 422 OVERQUOTA, nothing stored or recorded', async () => {
    const limited = await h.call('PUT', `/v1/domains/${DOMAIN}/aliases/reader`, { token, json: { max_quota: 2048 } });
    expect(limited.status).toBe(200);
    const before = (await h.call('GET', '/v1/emails', { token })).body.length;
    const sent = await h.call('POST', '/v1/emails', {
      token,
      json: { from: `me@${DOMAIN}`, to: [reader.address], subject: 'Too big', text: 'x'.repeat(4000) },
    });
    expect(sent.status).toBe(422);
    expect(sent.body).toMatchObject({ code: 'OVERQUOTA' });
    expect(sent.body.message).toMatch(/larger than the recipient mailbox quota/);
    expect((await h.call('GET', '/v1/emails', { token })).body).toHaveLength(before);
    await h.call('PUT', `/v1/domains/${DOMAIN}/aliases/reader`, { token, json: { max_quota: null } });
  });
});
