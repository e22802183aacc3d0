/**
 * The dashboard driven by a real headless Chromium (Debian's /usr/bin/chromium through playwright-core): sign up,
 * add a domain and read its DNS records, verify them against a DNS server on 127.0.0.1, add an alias with a
 * mailbox, generate its password and log in with it over IMAP (apps/imap's server), create and revoke an API
 * token and see the REST API (apps/api) refuse it. Screenshots go to artifacts/screenshots.
 */
/// <reference lib="dom" />
import { join } from 'node:path';
import { type ApiServer, createApiServer } from '@mailyard/api';
import { expectedRecords } from '@mailyard/control';
import { createImapServer, type ImapServer } from '@mailyard/imap';
import { ImapFlow } from 'imapflow';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasChromium, launchChromium, SCREENSHOTS, text } from './chromium.js';
import { type Harness, HOSTNAME, startHarness } from './harness.js';

const PASSWORD = 'a long enough passphrase';

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  let h: Harness;
  let imap: ImapServer;
  let imapPort: number;
  let api: ApiServer;
  let apiBase: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  const url = (path: string) => `${h.base}${path}`;
  const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const cells = (rows: string) =>
    page
      .locator(rows)
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
      );
  /** Every visible form control has a label (WCAG 1.3.1 / 4.1.2). */
  const unlabelled = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden]):not([hidden]), select, textarea')]
        .filter((el) => (el as HTMLInputElement).labels?.length === 0)
        .map((el) => el.outerHTML),
    );

  beforeAll(async () => {
    h = await startHarness();
    imap = createImapServer({ config: h.config, logger: h.logger, control: h.control, mailstore: h.mailstore });
    imapPort = await imap.listen(0, '127.0.0.1');
    api = createApiServer({ config: h.config, logger: h.logger, control: h.control, mailstore: h.mailstore });
    apiBase = `http://127.0.0.1:${await api.listen(0, '127.0.0.1')}`;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await imap?.close();
    await api?.close();
    expect(h.codeBugs()).toEqual([]);
    await h?.close();
  });

  test('sign up, add a domain and read the DNS records to publish', async () => {
    await page.goto(url('/'));
    expect(new URL(page.url()).pathname).toBe('/login');
    await shoot('login');
    await page.getByRole('link', { name: 'Sign up' }).first().click();
    expect(await page.getByText('The first account becomes its administrator').count()).toBe(1);
    await page.getByLabel('Email').fill('owner@shop.example');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    expect(await unlabelled()).toEqual([]);
    await shoot('signup');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(new URL(page.url()).pathname).toBe('/domains');
    await expect.poll(() => text(page.getByRole('status'))).toContain('Welcome to Mailyard');

    await page.getByLabel('Domain name').fill('shop.example');
    await page.getByLabel('Description (optional)').fill('<script>alert("xss")</script> our shop');
    await page.getByLabel('DMARC policy').selectOption('quarantine');
    await page.getByRole('button', { name: 'Add domain' }).click();
    expect(new URL(page.url()).pathname).toBe('/domains/shop.example');
    expect(await text(page.locator('h1'))).toBe('shop.example');
    expect(await text(page.locator('p.description'))).toBe('<script>alert("xss")</script> our shop');
    expect(await page.locator('script').count()).toBe(0);

    const domain = await h.control.findDomainByName('shop.example');
    if (!domain) throw new Error('domain was not stored');
    const expected = expectedRecords(domain, HOSTNAME).map((r) => [r.type, r.name, String(r.priority ?? ''), r.value]);
    const shown = (await cells('table.records tbody tr')).map(([, type, name, priority, value]) => [
      type,
      name,
      priority,
      value,
    ]);
    expect(shown).toEqual(expected);
    expect(shown[0]).toEqual(['MX', 'shop.example', '10', HOSTNAME]);
    expect(shown[3]).toEqual(['TXT', '_dmarc.shop.example', '', 'v=DMARC1; p=quarantine']);
    await shoot('domain');

    await page.goto(url('/domains'));
    expect(await text(page.locator('table tbody tr td').first())).toBe('shop.example');
    await shoot('domains');
  });

  test('verify shows each record as ok, missing or wrong, with what was found', async () => {
    h.dns.table.mx.set('shop.example', [{ preference: 10, exchange: HOSTNAME }]);
    h.dns.table.txt.set('shop.example', [['v=spf1 include:elsewhere.example -all']]);
    await page.goto(url('/domains/shop.example'));
    await page.getByRole('button', { name: 'Verify DNS records' }).click();
    const rows = await cells('table.records tbody tr');
    const badges = await page.locator('table.records tbody tr .status').allTextContents();
    const statuses = rows.map((row, i) => [row[0], badges[i]]);
    expect(statuses).toEqual([
      ['Mail exchanger', 'ok'],
      ['SPF (who may send)', 'wrong'],
      ['DKIM signing key', 'missing'],
      ['DMARC policy', 'missing'],
      ['Ownership', 'missing'],
    ]);
    expect(rows[1]?.[5]).toContain('Found instead: v=spf1 include:elsewhere.example -all');
    expect(rows[1]?.[4]).toBe('v=spf1 mx -all');
    expect(await text(page.getByRole('alert'))).toContain('Some records are missing or wrong');
    await shoot('domain-verified');
  });

  test('add an alias with a mailbox, generate its password and log in over IMAP with it', async () => {
    await page.goto(url('/domains/shop.example'));
    await page.getByRole('link', { name: 'Aliases and mailboxes' }).click();
    await page.getByLabel('Name (the part before @)').fill('jane');
    expect(await page.getByLabel(/^Mailbox/).isChecked()).toBe(true);
    await page.getByLabel('Description (optional)').fill('<img src=x onerror=alert(1)> Jane');
    await page.getByRole('button', { name: 'Add alias' }).click();
    expect(new URL(page.url()).pathname).toBe('/domains/shop.example/aliases/jane');
    expect(await text(page.getByRole('status'))).toBe('Alias jane@shop.example added.');
    expect(await text(page.locator('p.description'))).toBe('<img src=x onerror=alert(1)> Jane');
    expect(await page.locator('img').count()).toBe(0);

    await page.getByRole('button', { name: 'Generate password' }).click();
    const username = await text(page.locator('#mailbox-username'));
    const password = await text(page.locator('#mailbox-password'));
    expect(username).toBe('jane@shop.example');
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await text(page.locator('#recovery-key'))).not.toBe('');
    const settings = await cells('table tbody tr');
    expect(settings[0]).toEqual(['IMAP', HOSTNAME, String(h.config.imap.tlsPort), 'SSL/TLS', username]);
    expect(settings.map((row) => row[0])).toEqual(['IMAP', 'IMAP', 'POP3', 'POP3', 'SMTP', 'SMTP']);
    await shoot('mailbox-password');

    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: username, pass: password },
      logger: false,
    });
    client.on('error', () => undefined);
    await client.connect();
    const folders = (await client.list()).map((folder) => folder.path);
    expect(folders).toContain('INBOX');
    await client.logout();

    const wrong = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: username, pass: `${password}x` },
      logger: false,
    });
    wrong.on('error', () => undefined);
    await expect(wrong.connect()).rejects.toThrow();
    wrong.close();

    // The password page is not kept: going back to the alias shows no secret.
    await page.goto(url('/domains/shop.example/aliases/jane'));
    expect(await page.content()).not.toContain(password);
  });

  test('aliases are searchable and paged', async () => {
    const domain = await h.control.findDomainByName('shop.example');
    if (!domain) throw new Error('domain missing');
    for (let i = 0; i < 30; i++) await h.control.createAlias(domain.id, { name: `bulk-${String(i).padStart(2, '0')}` });
    await page.goto(url('/domains/shop.example/aliases'));
    expect(await text(page.getByRole('navigation', { name: 'Pages' }))).toContain('Page 1 of 2');
    await page.getByRole('link', { name: 'Next' }).click();
    expect(await text(page.getByRole('navigation', { name: 'Pages' }))).toContain('Page 2 of 2');
    await page.getByLabel('Search aliases').fill('bulk-07');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = await cells('table tbody tr');
    expect(rows.map((row) => row[0])).toEqual(['bulk-07@shop.example']);
    await page.goto(url('/domains/shop.example/aliases'));
    await shoot('aliases');
  });

  test('an API token works against the REST API until it is revoked', async () => {
    await page.goto(url('/tokens'));
    await page.getByLabel('Name').fill('deploy script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await text(page.locator('#api-token'));
    const call = () =>
      fetch(`${apiBase}/v1/domains`, {
        headers: { authorization: `Basic ${Buffer.from(`${secret}:`).toString('base64')}` },
      });
    const allowed = await call();
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as Array<{ name: string }>).map((d) => d.name)).toEqual(['shop.example']);

    await page.goto(url('/tokens'));
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'Revoke deploy script' }).click();
    expect(await text(page.getByRole('status'))).toContain('Token revoked');
    await shoot('tokens');
    const refused = await call();
    expect(refused.status).toBe(401);
  });

  test('pages are keyboard reachable, labelled, and fit a phone screen', async () => {
    for (const path of [
      '/domains',
      '/domains/shop.example',
      '/domains/shop.example/aliases/jane',
      '/tokens',
      '/account',
    ]) {
      await page.goto(url(path));
      expect(await unlabelled(), path).toEqual([]);
      expect(await page.locator('h1').count(), path).toBe(1);
    }
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await context.storageState(),
    });
    const small = await phone.newPage();
    for (const path of ['/domains/shop.example', '/domains/shop.example/aliases']) {
      await small.goto(url(path));
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await small.goto(url('/domains/shop.example'));
    await small.screenshot({ path: join(SCREENSHOTS, 'domain-phone.png'), fullPage: true });
    await phone.close();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
