/**
 * The mail log's writers: the MX logs an unknown recipient of a hosted domain (rejected, with the reply), a
 * message refused after DATA (rejected) and a delivery into a mailbox (delivered); the outbound worker logs a forwarded copy's outcome at the remote MX
 * (delivered, then deferred with the remote's reply) for the hosted domain that sent it; a domain's event webhook
 * gets the events it names through the webhook queue.
 */
import { waitFor } from '@mailyard/testkit';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NO_MTA_STS } from '../src/outbound/mta-sts.js';
import { createOutboundWorker } from '../src/outbound/worker.js';
import { type Harness, HOSTED, message, type RemoteMx } from './harness.js';
import { type MxFixture, startMxFixture } from './mx-fixture.js';

let fixture: MxFixture;
let h: Harness;
let mxPort: number;
let remote: RemoteMx;
let domainId: string;
const events = () => fixture.mailEvents();

async function send(to: string) {
  const transport = createTransport({
    host: '127.0.0.1',
    port: mxPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  const raw = message({ from: 'sam@sender.test', to, subject: 'logged' });
  return transport.sendMail({ envelope: { from: 'sam@sender.test', to: [to] }, raw });
}

beforeAll(async () => {
  fixture = await startMxFixture({ spam: { enabled: false } });
  ({ h, mxPort, remote, domainId } = fixture);
});

afterAll(() => fixture.close());

describe('mail log writers', () => {
  test('MX: an unknown recipient is logged rejected with the reply, a delivery delivered', async () => {
    await expect(send(`nobody@${HOSTED}`)).rejects.toThrow(/550/);
    await send(`alice@${HOSTED}`);
    await waitFor(async () => (await events()).some((e) => e.event === 'delivered'));
    const logged = await events();
    expect(logged.find((e) => e.event === 'rejected')).toMatchObject({
      direction: 'inbound',
      sender: 'sam@sender.test',
      recipient: `nobody@${HOSTED}`,
    });
    expect(logged.find((e) => e.event === 'rejected')?.response).toMatch(/^550 5\.1\.1/);
    expect(logged.find((e) => e.event === 'delivered')).toMatchObject({
      direction: 'inbound',
      recipient: `alice@${HOSTED}`,
    });
  });

  test("MX: a message refused after DATA (every recipient's Sieve rejects it) is logged rejected", async () => {
    const script = await h.control.createSieveScript(h.aliases.bob.id, {
      name: 'no',
      content: 'require "reject";\nreject "not taking mail";\n',
      isActive: true,
    });
    try {
      await expect(send(`bob@${HOSTED}`)).rejects.toThrow(/550/);
      await waitFor(async () => (await events()).some((e) => e.recipient === `bob@${HOSTED}`));
      const refused = (await events()).find((e) => e.recipient === `bob@${HOSTED}`);
      expect(refused).toMatchObject({ direction: 'inbound', event: 'rejected', sender: 'sam@sender.test' });
      expect(refused?.response).toMatch(/^550 /);
    } finally {
      await h.control.deleteSieveScript(h.aliases.bob.id, script.id, { allowActive: true });
    }
  });

  test('event webhooks get the events they name, through the webhook queue', async () => {
    const hook = await h.control.createEventWebhook(domainId, {
      url: 'https://hooks.example/events',
      events: ['rejected'],
    });
    try {
      await expect(send(`ghost@${HOSTED}`)).rejects.toThrow(/550/);
      await send(`alice@${HOSTED}`);
      await waitFor(async () => (await events()).filter((e) => e.event === 'delivered').length >= 2);
      const [queued, ...more] = await h.control.claimDueWebhooks('test', new Date(), 10);
      expect(more).toEqual([]);
      expect(queued?.url).toBe('https://hooks.example/events');
      expect(JSON.parse(queued?.body.toString('utf8') ?? '{}')).toMatchObject({
        type: 'mail_event',
        domain: HOSTED,
        domain_id: domainId,
        event: 'rejected',
        direction: 'inbound',
        recipient: `ghost@${HOSTED}`,
        sender: 'sam@sender.test',
      });
      await h.control.recordWebhookAttempt(queued?.id ?? '', 'test', { outcome: 'delivered' });
    } finally {
      await h.control.deleteEventWebhook(domainId, hook.id);
    }
  });

  test('outbound: a forwarded copy is logged delivered, and a deferral with the remote reply', async () => {
    const worker = createOutboundWorker({
      ...h.deps(),
      mtaSts: NO_MTA_STS,
      portOverride: remote.port,
      retryDelayMs: () => 0,
    });
    try {
      await send(`fwd@${HOSTED}`);
      expect(await worker.runOnce()).toBe(1);
      remote.dataReplies.push([451, '4.7.1 try again later']);
      await send(`fwd@${HOSTED}`);
      expect(await worker.runOnce()).toBe(1);
    } finally {
      await worker.stop();
    }
    const outbound = (await events()).filter((e) => e.direction === 'outbound');
    expect(outbound.map((e) => e.event)).toEqual(['deferred', 'delivered']);
    expect(outbound[0]?.recipient).toBe('carol@remote.test');
    expect(outbound[0]?.response).toContain('try again later');
    expect(outbound[1]?.messageId).not.toBeNull();
  });
});
