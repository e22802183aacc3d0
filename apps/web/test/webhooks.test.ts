/**
 * Webhooks in the dashboard: the domain page makes the signing secret and shows it once; an alias recipient may be
 * an https:// URL, and a private or loopback one is refused as in the REST API.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

describe('webhooks in the dashboard', () => {
  let h: Harness;
  let owner: WebClient;

  beforeAll(async () => {
    h = await startHarness();
    owner = await new WebClient(h.base).signUp('owner@hooks.example');
    expect((await owner.post('/domains', { name: 'hooks.example' })).status).toBe(303);
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('the webhook secret is made on the domain page and shown once', async () => {
    const page = await owner.get('/domains/hooks.example');
    expect(page.text).toContain('Make a new webhook secret');
    const made = await owner.post('/domains/hooks.example/webhook-secret', {});
    expect(made.status).toBe(201);
    const secret = /id="webhook-secret">([^<]+)</.exec(made.text)?.[1];
    const domain = await h.control.findDomainByName('hooks.example');
    expect(secret).toBe(await h.control.webhookSecret(domain?.id ?? ''));
    expect((await owner.get('/domains/hooks.example')).text).not.toContain(secret ?? '-');
  });

  test('a public https URL is a recipient; a loopback one is refused with the reason', async () => {
    const base = '/domains/hooks.example/aliases';
    expect((await owner.post(base, { name: 'hook', is_enabled: 'on' })).status).toBe(303);
    const saved = await owner.post(`${base}/hook`, { recipients: 'https://receiver.example.com/in', is_enabled: 'on' });
    expect(saved.status).toBe(303);
    const bad = await owner.post(`${base}/hook`, { recipients: 'https://127.0.0.1/in', is_enabled: 'on' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('private or loopback');
    const domain = await h.control.findDomainByName('hooks.example');
    expect((await h.control.findAlias(domain?.id ?? '', 'hook'))?.recipients).toEqual([
      'https://receiver.example.com/in',
    ]);
  });
});
