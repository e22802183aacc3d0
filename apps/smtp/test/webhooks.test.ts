/**
 * Webhooks end to end: mail to an alias whose recipient is a URL is queued as a signed JSON POST before the 250,
 * and the webhook worker posts it to a sink server on 127.0.0.1 that fails twice and then accepts: three attempts,
 * the HMAC verified by the sink's own computation. SSRF: without webhooks.allowPrivate the worker refuses a
 * loopback URL and a name that resolves to one, without connecting; redirects are refused, not followed.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Alias } from '@mailyard/control';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { createWebhookWorker, type WebhookWorkerDeps } from '../src/webhooks/worker.js';
import { type Harness, HOSTED, message, startHarness } from './harness.js';

interface Hit {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let h: Harness;
let mx: SmtpListener;
let mxPort: number;
let sink: Server;
let sinkPort: number;
let domainId: string;
const hits: Hit[] = [];
/** Answers the sink gives, in order; 200 once they run out. */
const answers: number[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

async function hookAlias(name: string, url: string): Promise<Alias> {
  return h.control.createAlias(domainId, { name, recipients: [url] });
}

async function sendToMx(to: string, subject: string) {
  const transport = createTransport({
    host: '127.0.0.1',
    port: mxPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  const raw = message({ from: 'sam@sender.test', to, subject, body: 'Webhook body text' });
  return transport.sendMail({ envelope: { from: 'sam@sender.test', to: [to] }, raw });
}

function worker(extra: Partial<WebhookWorkerDeps> = {}, allowPrivate = true) {
  const config = { ...h.config, webhooks: { ...h.config.webhooks, allowPrivate } };
  return createWebhookWorker({ config, logger: h.logger, control: h.control, retryDelayMs: () => 0, ...extra });
}

beforeAll(async () => {
  h = await startHarness({ webhooks: { allowPrivate: true }, spam: { enabled: false } });
  domainId = (await h.control.findDomainByName(HOSTED))?.id ?? '';
  h.dns.table.txt.set('sender.test', [['v=spf1 ip4:127.0.0.1 -all']]);
  mx = createMxServer(h.deps());
  mxPort = await mx.listen(0, '127.0.0.1');
  sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const status = answers.shift() ?? 200;
      if (status === 302) res.setHeader('location', `http://127.0.0.1:${sinkPort}/elsewhere`);
      res.statusCode = status;
      res.end(status === 200 ? 'ok' : 'not now');
    });
  });
  sinkPort = await listen(sink);
});

afterAll(async () => {
  await mx.close(1000);
  await new Promise((resolve) => sink.close(resolve));
  await h.close();
});

describe('webhooks for inbound mail', () => {
  test('queued before the 250, signed, retried after two failures, delivered on the third attempt', async () => {
    await hookAlias('hook', `http://127.0.0.1:${sinkPort}/hook`);
    hits.length = 0;
    answers.push(500, 503);
    const info = await sendToMx(`hook@${HOSTED}`, 'To the webhook');
    expect(info.response).toMatch(/^250/);
    const [queued] = await h.control.listWebhooks(domainId, 10);
    expect(queued).toMatchObject({ state: 'queued', attempts: 0, url: `http://127.0.0.1:${sinkPort}/hook` });
    const w = worker();
    for (let i = 0; i < 3; i++) expect(await w.runOnce()).toBe(1);
    expect(await w.runOnce()).toBe(0);
    expect(hits).toHaveLength(3);
    expect(await h.control.getWebhook(queued?.id ?? '')).toMatchObject({ state: 'delivered', attempts: 3 });
    const last = hits[2] as Hit;
    const secret = await h.control.webhookSecret(domainId);
    const expected = `sha256=${createHmac('sha256', secret).update(last.body).digest('hex')}`;
    expect(last.headers['x-webhook-signature']).toBe(expected);
    expect(last.headers['content-type']).toBe('application/json');
    expect(hits[0]?.body.equals(last.body)).toBe(true);
    const payload = JSON.parse(last.body.toString('utf8'));
    expect(payload).toMatchObject({
      envelope: { mail_from: 'sam@sender.test', rcpt_to: `hook@${HOSTED}` },
      subject: 'To the webhook',
      attachments: [],
    });
    expect(payload.text).toContain('Webhook body text');
    expect(Buffer.from(payload.raw, 'base64').toString('utf8')).toContain('Subject: To the webhook');
    expect(payload.headers.some((f: { name: string }) => f.name === 'received')).toBe(true);
  });

  test('SSRF: without allowPrivate a loopback URL, and a name resolving to loopback, are refused unconnected', async () => {
    await hookAlias('inside', `http://127.0.0.1:${sinkPort}/inside`);
    await hookAlias('named', `http://hooks.example:${sinkPort}/named`);
    hits.length = 0;
    await sendToMx(`inside@${HOSTED}`, 'loopback');
    await sendToMx(`named@${HOSTED}`, 'rebinding');
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    expect(await worker({ resolve }, false).runOnce()).toBe(2);
    expect(hits).toHaveLength(0);
    const [named, inside] = await h.control.listWebhooks(domainId, 2);
    expect(inside).toMatchObject({ state: 'failed', attempts: 1 });
    expect(inside?.lastError).toContain('non-public address 127.0.0.1');
    expect(named).toMatchObject({ state: 'failed' });
    expect(named?.lastError).toContain('hooks.example resolves to the non-public address 127.0.0.1');
  });

  test('a redirect is refused, not followed', async () => {
    await hookAlias('moved', `http://127.0.0.1:${sinkPort}/moved`);
    hits.length = 0;
    answers.push(302);
    await sendToMx(`moved@${HOSTED}`, 'redirected');
    expect(await worker().runOnce()).toBe(1);
    expect(hits.map((hit) => hit.path)).toEqual(['/moved']);
    const [moved] = await h.control.listWebhooks(domainId, 1);
    expect(moved).toMatchObject({ state: 'failed' });
    expect(moved?.lastError).toContain('redirects are not followed');
  });
});
