/**
 * Webhook settings over the REST API: an alias recipient may be an https:// URL; private, loopback and plain
 * http:// targets are refused when configured (400) unless webhooks.allowPrivate; the domain's signing secret is
 * made and shown once by POST /v1/domains/:domain/webhook-secret; event webhooks are added, listed and removed;
 * another account's domain is 404.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('webhooks over the API', () => {
  let h: Harness;
  let token: string;
  let other: string;

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    token = await h.signUp('owner@hooks.example');
    other = await h.signUp('other@else.example');
    await h.call('POST', '/v1/domains', { token, json: { name: 'hooks.example', verified: true } });
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('a public https URL is a recipient; private, loopback, localhost and plain http are refused', async () => {
    const url = '/v1/domains/hooks.example/aliases';
    const ok = await h.call('POST', url, {
      token,
      json: { name: 'hook', recipients: ['https://receiver.example.com/in?x=1', 'me@elsewhere.example'] },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.recipients).toEqual(['https://receiver.example.com/in?x=1', 'me@elsewhere.example']);
    for (const target of [
      'https://127.0.0.1/in',
      'https://10.1.2.3/in',
      'https://[::1]/in',
      'https://169.254.169.254/latest/meta-data',
      'https://localhost:8080/in',
      'http://receiver.example.com/in',
    ]) {
      const refused = await h.call('POST', url, { token, json: { name: 'bad', recipients: [target] } });
      expect(refused.status, target).toBe(400);
      expect(refused.body.field).toBe('recipients');
    }
    const update = await h.call('PUT', `${url}/hook`, { token, json: { recipients: ['https://192.168.1.10/'] } });
    expect(update.status).toBe(400);
    expect(update.body.message).toContain('private or loopback');
  });

  test('event webhooks: added with the URL rules, listed, removed, only on your own domain', async () => {
    const url = '/v1/domains/hooks.example/event-webhooks';
    const added = await h.call('POST', url, {
      token,
      json: { url: 'https://receiver.example.com/events', events: ['bounced', 'deferred'] },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ url: 'https://receiver.example.com/events', events: ['bounced', 'deferred'] });
    const inside = await h.call('POST', url, { token, json: { url: 'https://127.0.0.1/x', events: ['delivered'] } });
    expect(inside.status).toBe(400);
    expect(inside.body.field).toBe('url');
    expect((await h.call('POST', url, { token, json: { url: 'https://a.example/', events: ['opened'] } })).status).toBe(
      400,
    );
    expect((await h.call('GET', url, { token })).body.map((w: { id: string }) => w.id)).toEqual([added.body.id]);
    expect((await h.call('GET', url, { token: other })).status).toBe(404);
    expect((await h.call('DELETE', `${url}/${added.body.id}`, { token: other })).status).toBe(404);
    expect((await h.call('DELETE', `${url}/${added.body.id}`, { token })).status).toBe(204);
    expect((await h.call('DELETE', `${url}/${added.body.id}`, { token })).status).toBe(404);
    expect((await h.call('GET', url, { token })).body).toEqual([]);
  });

  test('the signing secret is shown once when made, replaced by the next call, and only for its owner', async () => {
    const domain = await h.control.findDomainByName('hooks.example');
    const first = await h.call('POST', '/v1/domains/hooks.example/webhook-secret', { token });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ header: 'X-Webhook-Signature', algorithm: 'hmac-sha256' });
    expect(await h.control.webhookSecret(domain?.id ?? '')).toBe(first.body.secret);
    const second = await h.call('POST', '/v1/domains/hooks.example/webhook-secret', { token });
    expect(second.body.secret).not.toBe(first.body.secret);
    expect(await h.control.webhookSecret(domain?.id ?? '')).toBe(second.body.secret);
    const foreign = await h.call('POST', '/v1/domains/hooks.example/webhook-secret', { token: other });
    expect(foreign.status).toBe(404);
    expect((await h.call('POST', '/v1/domains/hooks.example/webhook-secret')).status).toBe(401);
  });
});

describe('webhooks over the API with webhooks.allowPrivate (development)', () => {
  test('a loopback http URL is accepted', async () => {
    const h = await startHarness({ signupOpen: true });
    const dev = { ...h.config, webhooks: { ...h.config.webhooks, allowPrivate: true } };
    await h.close();
    const d = await startHarness({ signupOpen: true, webhooks: dev.webhooks });
    try {
      const token = await d.signUp('dev@dev.example');
      await d.call('POST', '/v1/domains', { token, json: { name: 'dev.example', verified: true } });
      const ok = await d.call('POST', '/v1/domains/dev.example/aliases', {
        token,
        json: { name: 'hook', recipients: ['http://127.0.0.1:8080/hook'] },
      });
      expect(ok.status).toBe(201);
    } finally {
      await d.close();
    }
  });
});
