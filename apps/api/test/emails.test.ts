/**
 * Sending over HTTP: POST /v1/emails with an account token and with mailbox credentials, to hosted mailboxes
 * (read back from the mail store) and to remote addresses (queued; GET shows each recipient, DELETE cancels).
 * Every 2xx reply is checked against the OpenAPI document by the harness. Bad input: malformed JSON, a raw message
 * that is not RFC 5322, messages over the size limit (413), senders that are not the caller's (403), other
 * accounts' messages (404), the daily limit (429).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const MAX_MESSAGE = 64 * 1024;
const DAILY = 8;

const mailboxAuth = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('POST /v1/emails and friends', () => {
  let h: Harness;
  let token: string;
  let other: string;
  let password: string;
  let readerPassword: string;

  async function mailbox(address: string, secret: string, folder: string): Promise<string[]> {
    const [name = '', domain = ''] = address.split('@');
    const found = await h.control.findAlias((await h.control.findDomainByName(domain))?.id ?? '', name);
    const session = await h.mailstore.open(found?.mailboxId ?? '', secret);
    try {
      await session.drainSpool();
      return session.listMessages(folder).map((m) => session.getRaw(folder, m.uid)?.toString('utf8') ?? '');
    } finally {
      session.close();
    }
  }

  beforeAll(async () => {
    h = await startHarness({
      signupOpen: true,
      smtp: { maxMessageSize: MAX_MESSAGE, dailySendLimit: DAILY },
      sender: {},
    });
    token = await h.signUp('owner@send.example');
    other = await h.signUp('other@else.example');
    await h.call('POST', '/v1/domains', { token, json: { name: 'send.example', verified: true } });
    await h.call('POST', '/v1/domains', { token: other, json: { name: 'else.example' } });
    for (const name of ['me', 'reader']) {
      await h.call('POST', '/v1/domains/send.example/aliases', { token, json: { name, has_imap: true } });
    }
    const issue = (name: string) =>
      h.call('POST', `/v1/domains/send.example/aliases/${name}/generate-password`, { token, json: {} });
    password = (await issue('me')).body.password;
    readerPassword = (await issue('reader')).body.password;
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('an account token sends a composed message to a hosted mailbox: delivered, DKIM-signed, no Sent copy', async () => {
    const sent = await h.call('POST', '/v1/emails', {
      token,
      json: {
        from: 'Me <me@send.example>',
        to: 'reader@send.example',
        subject: 'Hello over HTTP',
        text: 'Plain text body',
        html: '<p>HTML body</p>',
        attachments: [
          { filename: 'note.txt', content: Buffer.from('attached').toString('base64'), encoding: 'base64' },
        ],
      },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      from: 'me@send.example',
      subject: 'Hello over HTTP',
      status: 'delivered',
      sent_copy: false,
      recipients: [{ address: 'reader@send.example', status: 'delivered', attempts: 0, last_response: null }],
    });
    const [stored] = await mailbox('reader@send.example', readerPassword, 'INBOX');
    expect(stored).toContain('Subject: Hello over HTTP');
    expect(stored).toMatch(/^DKIM-Signature: .*d=send\.example/m);
    expect(stored).toContain('with HTTPSA id');
    expect(stored).toContain('filename=note.txt');
    expect(stored).toContain(`Message-ID: <${sent.body.message_id}>`);
    expect(await mailbox('me@send.example', password, 'Sent')).toEqual([]);
    expect((await h.call('GET', `/v1/emails/${sent.body.id}`, { token })).body).toEqual(sent.body);
  });

  test('mailbox credentials send a raw message: Bcc only in the envelope, a copy in Sent', async () => {
    const raw = 'From: me@send.example\nTo: someone@send.example\nBcc: reader@send.example\nSubject: Raw\n\nRaw body\n';
    const sent = await h.call('POST', '/v1/emails', {
      headers: mailboxAuth('me@send.example', password),
      json: { raw },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ status: 'delivered', sent_copy: true, subject: 'Raw' });
    expect(sent.body.recipients.map((r: { address: string }) => r.address)).toEqual(['reader@send.example']);
    const inbox = await mailbox('reader@send.example', readerPassword, 'INBOX');
    const copy = inbox.find((m) => m.includes('Subject: Raw')) ?? '';
    expect(copy).toContain('Raw body\r\n');
    expect(copy).not.toMatch(/^Bcc:/im);
    const sentFolder = await mailbox('me@send.example', password, 'Sent');
    expect(sentFolder.some((m) => m.includes('Subject: Raw'))).toBe(true);
    const mine = await h.call('GET', '/v1/emails', { headers: mailboxAuth('me@send.example', password) });
    expect(mine.body.map((e: { id: string }) => e.id)).toEqual([sent.body.id]);
  });

  test('a remote recipient is queued; GET shows it pending; DELETE cancels it once', async () => {
    const sent = await h.call('POST', '/v1/emails', {
      token,
      json: { from: 'me@send.example', to: ['far@remote.example'], subject: 'Away', text: 'x' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      status: 'queued',
      recipients: [{ address: 'far@remote.example', status: 'pending', attempts: 0 }],
    });
    const cancelled = await h.call('DELETE', `/v1/emails/${sent.body.id}`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', recipients: [{ status: 'failed' }] });
    const again = await h.call('DELETE', `/v1/emails/${sent.body.id}`, { token });
    expect(again.status).toBe(409);
    expect(await h.control.claimDue('w', new Date(), 10)).toEqual([]);
  });

  test('another account sees none of it, and cannot send as these addresses', async () => {
    const list = await h.call('GET', '/v1/emails', { token });
    const id = list.body[0].id;
    expect((await h.call('GET', `/v1/emails/${id}`, { token: other })).status).toBe(404);
    expect((await h.call('DELETE', `/v1/emails/${id}`, { token: other })).status).toBe(404);
    expect((await h.call('GET', '/v1/emails', { token: other })).body).toEqual([]);
    const forged = await h.call('POST', '/v1/emails', {
      token: other,
      json: { from: 'me@send.example', to: 'x@remote.example', text: 'x' },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.message).toContain('me@send.example');
    const unverified = await h.call('POST', '/v1/emails', {
      token: other,
      json: { from: 'x@else.example', to: 'x@remote.example', text: 'x' },
    });
    expect(unverified.status).toBe(403);
    expect((await h.call('GET', '/v1/emails')).status).toBe(401);
  });

  test('bad input: malformed JSON, not RFC 5322, too large, no recipients', async () => {
    const malformed = await h.call('POST', '/v1/emails', {
      token,
      body: '{"from": "me@send.example",',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toContain('not valid JSON');
    const noHeader = await h.call('POST', '/v1/emails', {
      token,
      json: { raw: 'just some words\n', to: 'a@b.example' },
    });
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.message).toContain('not an RFC 5322 message');
    const badLine = await h.call('POST', '/v1/emails', {
      token,
      json: { raw: 'From: me@send.example\nthis is no field\n\nbody\n', to: 'a@b.example' },
    });
    expect(badLine.status).toBe(400);
    expect(badLine.body.message).toContain('header line 2');
    const mixed = await h.call('POST', '/v1/emails', {
      token,
      json: { raw: 'From: me@send.example\n\nx', subject: 'x' },
    });
    expect(mixed.status).toBe(400);
    const none = await h.call('POST', '/v1/emails', { token, json: { from: 'me@send.example', text: 'x' } });
    expect(none.status).toBe(400);
    // Under the JSON body limit (the message size, base64-encoded, plus the API's body limit) but over the size.
    const big = Buffer.alloc(MAX_MESSAGE, 0x61).toString('base64');
    const overSize = await h.call('POST', '/v1/emails', {
      token,
      json: { from: 'me@send.example', to: 'reader@send.example', attachments: [{ content: big, encoding: 'base64' }] },
    });
    expect(overSize.status).toBe(413);
    // Over the JSON body limit: refused from Content-Length before the body is read.
    const huge = await h.call('POST', '/v1/emails', {
      token,
      json: { from: 'me@send.example', to: 'reader@send.example', text: 'x'.repeat(MAX_MESSAGE * 3) },
    });
    expect(huge.status).toBe(413);
  });

  test('GET /v1/emails/limit counts the last 24 hours, and the daily limit refuses with 429', async () => {
    const before = await h.call('GET', '/v1/emails/limit', { headers: mailboxAuth('me@send.example', password) });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ limit: DAILY, domains: [{ domain: 'send.example' }] });
    const used = before.body.domains[0].count;
    expect(used).toBe(3);
    expect(before.body.sender).toMatchObject({ address: 'me@send.example', count: 3, remaining: DAILY - 3 });
    for (let i = used; i < DAILY; i++) {
      const ok = await h.call('POST', '/v1/emails', {
        token,
        json: { from: 'me@send.example', to: 'reader@send.example', text: `n${i}` },
      });
      expect(ok.status).toBe(201);
    }
    const refused = await h.call('POST', '/v1/emails', {
      token,
      json: { from: 'me@send.example', to: 'reader@send.example', text: 'one too many' },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    // The refused attempt counts too (as on SMTP submission: a client that keeps trying stays limited).
    const after = await h.call('GET', '/v1/emails/limit', { token });
    expect(after.body).toMatchObject({
      domains: [{ domain: 'send.example', count: DAILY + 1, remaining: 0 }],
      sender: null,
    });
  });
});
