// Claiming domains over real HTTP: an account cannot capture mail for a name it does not own (issue 12 item 2).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('domain claiming and verification', () => {
  let h: Harness;
  let admin: string;
  let mallory: string;
  let carol: string;
  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    admin = await h.signUp('admin@example.org');
    mallory = await h.signUp('mallory@example.org');
    carol = await h.signUp('carol@example.org');
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  const addDomain = (token: string, json: Record<string, unknown>) => h.call('POST', '/v1/domains', { token, json });
  const mark = (token: string, domain: string, verified: boolean) =>
    h.call('PUT', `/v1/admin/domains/${domain}/verification`, { token, json: { verified } });

  test("an account's new domain is not hosted for routing, so its aliases capture no one's mail", async () => {
    const added = await addDomain(mallory, { name: 'gmail.test' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ verified: false, verified_at: null, verified_by: null });
    const alias = await h.call('POST', '/v1/domains/gmail.test/aliases', {
      token: mallory,
      json: { name: 'victim', has_imap: true },
    });
    expect(alias.status).toBe(201);
    expect(await h.control.isHostedDomain('gmail.test')).toBe(false);
    expect(await h.control.resolveRecipient('victim@gmail.test')).toBeNull();
    const listed = await h.call('GET', '/v1/domains', { token: mallory });
    expect(listed.body.find((d: { name: string }) => d.name === 'gmail.test')?.verified).toBe(false);
  });

  test('only an administrator may add a domain verified or mark one', async () => {
    const refused = await addDomain(mallory, { name: 'shortcut.test', verified: true });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/only an administrator/);
    expect((await mark(mallory, 'gmail.test', true)).status).toBe(403);
    expect(await h.control.isHostedDomain('gmail.test')).toBe(false);

    const own = await addDomain(admin, { name: 'operator.test', verified: true });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ verified: true, verified_by: 'admin' });
    expect(await h.control.isHostedDomain('operator.test')).toBe(true);

    const marked = await mark(admin, 'gmail.test', true);
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ name: 'gmail.test', verified: true, verified_by: 'admin' });
    expect((await h.control.resolveRecipient('victim@gmail.test'))?.alias.name).toBe('victim');
    const unmarked = await mark(admin, 'gmail.test', false);
    expect(unmarked.body).toMatchObject({ verified: false, verified_by: null });
    expect(await h.control.resolveRecipient('victim@gmail.test')).toBeNull();
    expect((await mark(admin, 'nowhere.test', true)).status).toBe(404);
    expect((await h.call('PUT', '/v1/admin/domains/gmail.test/verification', { token: admin, json: {} })).status).toBe(
      400,
    );
  });

  test('a domain, its subdomains and its parents cannot be added while another account holds one: 409', async () => {
    expect((await addDomain(carol, { name: 'example.test' })).status).toBe(201);
    for (const name of ['example.test', 'sub.example.test', 'a.b.example.test']) {
      const res = await addDomain(mallory, { name });
      expect(res.status, name).toBe(409);
      expect(res.body.message).toMatch(/another account holds it/);
    }
    expect((await addDomain(carol, { name: 'mail.example.test' })).status).toBe(201);
    expect((await addDomain(mallory, { name: 'deep.tenant.test' })).status).toBe(201);
    const parent = await addDomain(carol, { name: 'tenant.test' });
    expect(parent.status).toBe(409);
    expect(parent.body.message).toBe(
      'domain tenant.test cannot be added: another account holds it (deep.tenant.test). A domain, its parents and ' +
        'its subdomains belong to one account; ask your administrator if the domain is yours.',
    );
  });

  test('a public suffix cannot be claimed: 400', async () => {
    const res = await addDomain(mallory, { name: 'co.uk' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/public suffix/);
  });
});
