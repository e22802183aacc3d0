// Domains in the dashboard over real HTTP: a new domain receives no mail until its ownership record is found, and
// names under another account's domain cannot be claimed (issue 12 item 2).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

describe('dashboard domain verification and claiming', () => {
  let h: Harness;
  let carol: WebClient;
  let mallory: WebClient;
  beforeAll(async () => {
    h = await startHarness({ config: { api: { signupOpen: true } } });
    carol = await new WebClient(h.base).signUp('carol@example.org');
    mallory = await new WebClient(h.base).signUp('mallory@example.org');
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('a new domain is not verified until its ownership record is found by Verify', async () => {
    expect((await carol.post('/domains', { name: 'carol.test' })).status).toBe(303);
    const page = await carol.get('/domains/carol.test');
    expect(page.text).toContain('not verified');
    expect(page.text).toContain('This domain receives no mail until it is verified');
    expect(await h.control.isHostedDomain('carol.test')).toBe(false);

    const token = (await h.control.findDomainByName('carol.test'))?.verificationToken ?? '';
    h.dns.table.txt.set('carol.test', [[`mailyard-verification=${token}`]]);
    const verified = await carol.post('/domains/carol.test/verify');
    expect(verified.status).toBe(200);
    expect(verified.text).toContain('receives mail');
    expect(verified.text).toContain('verified by its ownership record');
    expect(await h.control.isHostedDomain('carol.test')).toBe(true);
    expect((await carol.get('/domains')).text).toContain('receives mail');
  });

  test("names under another account's domain, or above it, are refused with the reason", async () => {
    for (const name of ['carol.test', 'shop.carol.test']) {
      const page = await mallory.post('/domains', { name });
      expect(page.status, name).toBe(400);
      expect(page.text).toContain('another account holds it');
      expect((await h.control.findDomainByName(name))?.accountId ?? 'none').not.toBe(
        (await h.control.findAccountByEmail('mallory@example.org'))?.id,
      );
    }
  });
});
