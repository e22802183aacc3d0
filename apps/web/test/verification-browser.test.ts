/**
 * A recipient verification link in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core),
 * against the real API over the dashboard's stores (the dashboard saves the alias and queues the email): opening the link loads one page and nothing else and confirms nothing; pressing its button
 * posts the token and confirms, with the page's Content-Security-Policy, Referrer-Policy and the API's cross-site
 * check as a browser meets them (no console errors). Skips with a printed reason without Chromium, fails when CI=true.
 */
import { type ApiServer, createApiServer } from '@mailyard/api';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasChromium, launchChromium, text } from './chromium.js';
import { type Harness, startHarness, WebClient } from './harness.js';

const aliases = '/domains/click-verify.example/aliases';

describe.skipIf(!hasChromium)('recipient verification link in headless Chromium', () => {
  let h: Harness;
  let api: ApiServer;
  let apiBase: string;
  let browser: Browser;

  beforeAll(async () => {
    // The dashboard saves the alias and queues the email; the API, over the same stores, serves the link.
    h = await startHarness({ withSender: true });
    api = createApiServer({ config: h.config, logger: h.logger, control: h.control, mailstore: h.mailstore });
    apiBase = `http://127.0.0.1:${await api.listen(0, '127.0.0.1')}`;
    const owner = await new WebClient(h.base).signUp('owner@click-verify.example');
    expect((await owner.post('/domains', { name: 'click-verify.example' })).status).toBe(303);
    await owner.get(aliases);
    const created = await owner.post(aliases, {
      name: 'fwd',
      recipients: 'lee@remote.test',
      is_enabled: 'on',
      error_code_if_disabled: '250',
      has_recipient_verification: 'on',
    });
    expect(created.status).toBe(303);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  const verifiedAt = async () => {
    const domain = await h.control.findDomainByName('click-verify.example');
    const alias = await h.control.findAlias(domain?.id ?? '', 'fwd');
    return (await h.control.listRecipientVerifications(alias?.id ?? ''))[0]?.verifiedAt;
  };

  test('opening the link confirms nothing; the button does', async () => {
    const queued = await h.control.claimDue('test', new Date(Date.now() + 60_000), 10);
    const raw = queued.find((q) => q.recipients.some((r) => r.address === 'lee@remote.test'))?.body ?? Buffer.alloc(0);
    const emailed = new URL(/^(http\S+\/v1\/aliases\/verify\?token=\S+)$/m.exec(raw.toString('latin1'))?.[1] ?? '');
    // The email points at https://<hostname>/v1 (the harness binds no public name): the same path on this API.
    const link = `${apiBase}${emailed.pathname}${emailed.search}`;

    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    try {
      const opened = await page.goto(link);
      expect(opened?.status()).toBe(200);
      expect(await text(page.locator('h1'))).toBe('Confirm forwarding');
      expect(await text(page.locator('p').first())).toMatch(/fwd@click-verify\.example .* lee@remote\.test/);
      // Chromium may ask for /favicon.ico on its own; nothing the page itself loads.
      expect(requests.filter((r) => !r.endsWith('/favicon.ico'))).toEqual([`GET ${link}`]);
      expect(await verifiedAt()).toBeNull();

      await Promise.all([page.waitForURL(`${apiBase}/v1/aliases/verify`), page.locator('button').click()]);
      expect(await text(page.locator('h1'))).toBe('Forwarding confirmed');
      expect(await text(page.locator('p'))).toMatch(/^Confirmed: mail sent to fwd@click-verify\.example is forwarded/);
      expect(requests.filter((r) => r.startsWith('POST'))).toEqual([`POST ${apiBase}/v1/aliases/verify`]);
      expect(await verifiedAt()).toBeInstanceOf(Date);
      expect(problems.filter((p) => !/favicon/.test(p))).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
