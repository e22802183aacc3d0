/**
 * The dashboard's members page, through real HTTP with logged-in sessions and CSRF tokens: an admin invites an
 * email, the code is shown once, the invited account pastes it into /invites (never in a path) and accepts; a 'user' member sees the domain but
 * cannot change its settings or remove others, and may leave; the owner cannot be removed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

describe('domain members in the dashboard', () => {
  let h: Harness;
  let owner: WebClient;
  let colleague: WebClient;
  let stranger: WebClient;
  const path = '/domains/crew.example/members';

  beforeAll(async () => {
    h = await startHarness({ config: { api: { signupOpen: true } } });
    owner = await new WebClient(h.base).signUp('owner@crew.example');
    colleague = await new WebClient(h.base).signUp('colleague@crew.example');
    stranger = await new WebClient(h.base).signUp('stranger@crew.example');
    expect((await owner.post('/domains', { name: 'crew.example' })).status).toBe(303);
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('invite, accept by code, then the user role: reads the domain, no settings, may leave', async () => {
    expect((await owner.get('/domains/crew.example')).text).toContain(`href="${path}"`);
    await owner.get(path);
    const created = await owner.post(`${path}/invites`, { email: 'colleague@crew.example', role: 'user' });
    expect(created.status).toBe(201);
    const code = /<p class="secret" id="invite-code">(myi_[^<]+)<\/p>/.exec(created.text)?.[1] ?? '';
    expect(code).toMatch(/^myi_/);
    expect(created.text).toContain('/invites</code>');
    expect(created.text).not.toContain(`/invites/${code}`);
    expect((await owner.get(path)).text).toContain('colleague@crew.example');

    expect((await colleague.get('/domains/crew.example')).status).toBe(404);
    // A link of the former form (the code in the path) leads to the form, with a message, the code unused.
    const former = await colleague.get(`/invites/${code}`);
    expect(former.status).toBe(303);
    expect(former.location).toBe('/invites');
    const form = await colleague.get('/invites');
    expect(form.text).toContain('no longer accepted');
    expect(form.text).not.toContain(code);
    expect((await colleague.get('/domains/crew.example')).status).toBe(404);
    // Another account cannot use the code; an empty one is a 400.
    await stranger.get('/invites');
    expect((await stranger.post('/invites', { code })).status).toBe(404);
    await colleague.get('/invites');
    expect((await colleague.post('/invites', { code: '' })).status).toBe(400);
    expect((await colleague.get('/invites')).text).toContain('Accept invite');
    const accepted = await colleague.post('/invites', { code });
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe('/domains/crew.example');
    expect((await colleague.get('/domains')).text).toContain('crew.example');

    // The domain page by role: the admin's forms for the admin, the settings read-only for a user member.
    const asAdmin = (await owner.get('/domains/crew.example')).text;
    const asUser = (await colleague.get('/domains/crew.example')).text;
    for (const control of [
      'action="/domains/crew.example"',
      'action="/domains/crew.example/webhook-secret"',
      'href="/domains/crew.example/delete"',
      'href="/domains/crew.example/quota"',
    ]) {
      expect(asAdmin).toContain(control);
      expect(asUser).not.toContain(control);
    }
    expect(asUser).toContain('as a <strong>user</strong> member');
    expect(asUser).toContain('action="/domains/crew.example/verify"');
    // The spam page and the storage limits likewise: forms for the admin, the settings read-only for the user.
    expect((await owner.get('/domains/crew.example/spam')).text).toContain('action="/domains/crew.example/spam"');
    const spamAsUser = await colleague.get('/domains/crew.example/spam');
    expect(spamAsUser.status).toBe(200);
    expect(spamAsUser.text).not.toContain('action="/domains/crew.example/spam"');
    expect(spamAsUser.text).toMatch(/changed by the domain(&#39;|&#x27;|')s admins/);
    expect((await owner.get('/domains/crew.example/quota')).text).toContain('action="/domains/crew.example/quota"');
    expect((await colleague.get('/domains/crew.example/quota')).status).toBe(403);

    const members = await colleague.get(path);
    expect(members.status).toBe(200);
    expect(members.text).toContain('owner@crew.example');
    expect(members.text).not.toContain('Create invite');
    expect((await colleague.post('/domains/crew.example', { description: 'x', dmarc_policy: 'none' })).status).toBe(
      403,
    );
    const ownerId = (await h.control.findAccountByEmail('owner@crew.example'))?.id ?? '';
    expect((await colleague.post(`${path}/${ownerId}/remove`)).status).toBe(403);

    const colleagueId = (await h.control.findAccountByEmail('colleague@crew.example'))?.id ?? '';
    const left = await colleague.post(`${path}/${colleagueId}/remove`);
    expect(left.status).toBe(303);
    expect((await colleague.get('/domains/crew.example')).status).toBe(404);
  });

  test('an admin revokes an invite; the owner cannot be removed', async () => {
    await owner.get(path);
    await owner.post(`${path}/invites`, { email: 'later@crew.example', role: 'admin' });
    const domain = await h.control.findDomainByName('crew.example');
    const invite = (await h.control.listDomainInvites(domain?.id ?? '')).find((i) => i.email === 'later@crew.example');
    await owner.get(path);
    expect((await owner.post(`${path}/invites/${invite?.id}/revoke`)).status).toBe(303);
    expect(await h.control.listDomainInvites(domain?.id ?? '')).toEqual([]);
    const ownerId = (await h.control.findAccountByEmail('owner@crew.example'))?.id ?? '';
    await owner.get(path);
    const refused = await owner.post(`${path}/${ownerId}/remove`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('owns the domain');
  });
});
