/**
 * Recipient verification end to end: the verification email goes through the outbound worker to a remote MX on
 * 127.0.0.1; opening its link on the API (the page, and the JSON description) leaves the forward waiting, so the
 * MX still defers the alias with 450; the token POSTed to the API confirms, and the next message to the alias is
 * forwarded to the recipient. Real MX, API, outbound worker and stores on one data dir.
 */
import { createOutboundWorker, NO_MTA_STS, type OutboundWorker } from '@mailyard/smtp';
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HOSTED, message, REMOTE } from '../../smtp/test/harness.js';
import { type MxFixture, startMxFixture } from '../../smtp/test/mx-fixture.js';
import { Wire } from '../../smtp/test/wire.js';
import { type ApiServer, createApiServer, createMessageSender } from '../src/index.js';

describe('a forward starts once its recipient POSTs the token, not when the link is opened', () => {
  let fixture: MxFixture;
  let api: ApiServer;
  let apiBase: string;
  let worker: OutboundWorker;

  beforeAll(async () => {
    fixture = await startMxFixture({ spam: { enabled: false } });
    const { h } = fixture;
    api = createApiServer({ config: h.config, logger: h.logger, control: h.control, mailstore: h.mailstore });
    apiBase = `http://127.0.0.1:${await api.listen(0, '127.0.0.1')}`;
    worker = createOutboundWorker({
      ...h.deps(),
      mtaSts: NO_MTA_STS,
      portOverride: fixture.remote.port,
      retryDelayMs: () => 0,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await fixture?.close();
  });

  /** One message to `to` over SMTP; the reply to RCPT TO, and DATA's when it was accepted. */
  async function send(to: string, subject: string): Promise<{ rcpt: string; data: string | null }> {
    const wire = await Wire.open(fixture.mxPort);
    try {
      await wire.reply();
      await wire.command('EHLO sender.test');
      await wire.command('MAIL FROM:<sam@sender.test>');
      const rcpt = await wire.command(`RCPT TO:<${to}>`);
      let data: string | null = null;
      if (rcpt.code === 250) {
        await wire.command('DATA');
        const body = message({ from: 'sam@sender.test', to, subject }).toString('latin1');
        data = (await wire.command(`${body.replace(/\r\n$/, '')}\r\n.`)).text;
      }
      await wire.command('QUIT');
      return { rcpt: rcpt.text, data };
    } finally {
      await wire.closedByServer().catch(() => undefined);
    }
  }

  test('GET leaves it waiting; POST starts it', async () => {
    const { h, remote } = fixture;
    const domain = await h.control.findDomainByName(HOSTED);
    const alias = await h.control.createAlias(domain?.id ?? '', {
      name: 'asks-first',
      recipients: [`dana@${REMOTE}`],
      hasRecipientVerification: true,
    });
    const [issued] = await h.control.syncRecipientVerifications(alias.id);
    await createMessageSender(h.deps()).sendVerificationRequest({
      aliasAddress: `asks-first@${HOSTED}`,
      domain: HOSTED,
      recipient: `dana@${REMOTE}`,
      link: `${apiBase}/v1/aliases/verify?token=${issued?.token}`,
    });
    await waitFor(async () => (await worker.runOnce()) === 0 && remote.received.length >= 1, 30_000);
    const email = remote.received.find((m) => /Confirm forwarding/.test(m.raw.toString('latin1')));
    const link = /^(http\S+\/v1\/aliases\/verify\?token=\S+)$/m.exec(email?.raw.toString('latin1') ?? '')?.[1] ?? '';
    expect(link.startsWith(`${apiBase}/v1/aliases/verify?token=`)).toBe(true);

    // What a mail scanner or a link preview does: open the link, as a browser and as JSON.
    const opened = await fetch(link, { headers: { accept: 'text/html' } });
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('<form method="post" action="verify">');
    const described = await fetch(link, { headers: { accept: 'application/json' } });
    expect(await described.json()).toMatchObject({ recipient: `dana@${REMOTE}`, verified: false });
    expect((await send(`asks-first@${HOSTED}`, 'before')).rcpt).toMatch(/^450 4\.2\.0 /);

    const token = new URL(link).searchParams.get('token') ?? '';
    const confirmed = await fetch(`${apiBase}/v1/aliases/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ recipient: `dana@${REMOTE}`, verified: true });

    const received = remote.received.length;
    const after = await send(`asks-first@${HOSTED}`, 'after');
    expect(after.rcpt).toMatch(/^250/);
    expect(after.data).toMatch(/^250/);
    await waitFor(async () => (await worker.runOnce()) === 0 && remote.received.length > received, 30_000);
    const forwarded = remote.received.slice(received);
    expect(forwarded.map((m) => m.to)).toEqual([[`dana@${REMOTE}`]]);
    expect(forwarded[0]?.raw.toString('latin1')).toMatch(/^Subject: after\r?$/m);
  });
});
