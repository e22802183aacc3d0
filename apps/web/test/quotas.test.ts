/**
 * Storage limits in the dashboard, through real HTTP with a logged-in session and CSRF tokens: the alias page and
 * the domain page show usage and limits; the limit forms store max_quota / max_messages and max_quota_per_alias /
 * max_quota; bad input is a 400 page naming the field with nothing changed; a limit above the server default is
 * refused to an account that is not a server administrator.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

describe('storage limits in the dashboard', () => {
  let h: Harness;
  let owner: WebClient;
  let other: WebClient;
  let aliasId = '';
  let domainId = '';
  const alias = '/domains/quota.example/aliases/alice';

  beforeAll(async () => {
    h = await startHarness({ config: { api: { signupOpen: true } } });
    owner = await new WebClient(h.base).signUp('owner@quota.example');
    other = await new WebClient(h.base).signUp('other@else.example');
    expect((await owner.post('/domains', { name: 'quota.example' })).status).toBe(303);
    const aliasForm = { name: 'alice', has_imap: 'on', is_enabled: 'on' };
    expect((await owner.post('/domains/quota.example/aliases', aliasForm)).status).toBe(303);
    await owner.get(alias);
    expect((await owner.post(`${alias}/password`)).status).toBe(201);
    const domain = await h.control.findDomainByName('quota.example');
    domainId = domain?.id ?? '';
    aliasId = (await h.control.findAlias(domainId, 'alice'))?.id ?? '';
    // What a session holding the mailbox unlocked reports after a change.
    await h.control.recordMailboxUsage((await h.control.findAlias(domainId, 'alice'))?.mailboxId ?? '', {
      bytes: 3 * 1024 * 1024,
      messages: 12,
    });
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('the alias page shows the usage; the limit form stores max_quota and max_messages', async () => {
    const page = await owner.get(alias);
    expect(page.text).toContain('<dt>Storage used</dt><dd>3 MiB of 10 GiB');
    expect(page.text).toContain(`href="${alias}/quota"`);
    await owner.get(`${alias}/quota`);
    const saved = await owner.post(`${alias}/quota`, { max_quota: '6MB', max_messages: '100' });
    expect(saved.status).toBe(303);
    expect(await h.control.aliasQuota(aliasId)).toMatchObject({ maxQuota: 6 * 1024 * 1024, maxMessages: 100 });
    expect((await owner.get(alias)).text).toMatch(/3 MiB of 6 MiB\s*\(50 %\)/);
  });

  test('bad input is a 400 naming the field and changes nothing; above the default needs an administrator', async () => {
    await owner.get(`${alias}/quota`);
    const bad = await owner.post(`${alias}/quota`, { max_quota: 'plenty', max_messages: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Storage limit: give bytes or a size such as 10GB.');
    expect(bad.text).toContain('value="plenty"');
    expect((await h.control.aliasQuota(aliasId))?.maxQuota).toBe(6 * 1024 * 1024);

    expect((await other.post('/domains', { name: 'else.example' })).status).toBe(303);
    await other.get('/domains/else.example/quota');
    const above = await other.post('/domains/else.example/quota', { max_quota_per_alias: '50GB', max_quota: '' });
    expect(above.status).toBe(400);
    expect(above.text).toContain('only a server administrator');
    // The first account is the server administrator.
    await owner.get('/domains/quota.example/quota');
    expect((await owner.post(`${alias}/quota`, { max_quota: '20GB', max_messages: '' })).status).toBe(303);
    expect(await h.control.aliasQuota(aliasId)).toMatchObject({ maxQuota: 20 * 1024 ** 3, maxMessages: null });
  });

  test("the domain page shows its mailboxes' usage; the domain form stores both limits", async () => {
    const page = await owner.get('/domains/quota.example');
    expect(page.text).toContain('<dt>Storage used by all mailboxes</dt><dd>3 MiB</dd>');
    expect(page.text).toContain('href="/domains/quota.example/quota"');
    await owner.get('/domains/quota.example/quota');
    const saved = await owner.post('/domains/quota.example/quota', { max_quota_per_alias: '1GB', max_quota: '100GB' });
    expect(saved.status).toBe(303);
    expect(await h.control.domainQuota(domainId)).toMatchObject({
      maxQuotaPerAlias: 1024 ** 3,
      maxQuota: 100 * 1024 ** 3,
    });
    expect((await owner.get('/domains/quota.example')).text).toContain('3 MiB of 100 GiB');
    // Another account cannot see or change it.
    expect((await other.get('/domains/quota.example/quota')).status).toBe(404);
  });
});
