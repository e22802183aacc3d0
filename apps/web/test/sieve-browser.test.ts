/**
 * The Sieve page in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core): the raw script
 * editor shows a syntax error with its line and column and the offending line marked, keeps what was typed, and
 * saves once it is fixed; the vacation form saves the active `dashboard` script. Screenshots go to
 * artifacts/screenshots. Skips with a printed reason without Chromium, fails when CI=true.
 */
/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasChromium, openOwnerPage, SCREENSHOTS, text } from './chromium.js';
import { type Harness, startHarness } from './harness.js';

const PASSWORD = 'a long enough passphrase';

describe.skipIf(!hasChromium)('Sieve page in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let aliasId = '';
  let pageErrors: string[] = [];
  const url = (path: string) => `${h.base}${path}`;
  const sievePage = '/domains/vacation.example/aliases/me/sieve';

  beforeAll(async () => {
    h = await startHarness();
    const owner = await openOwnerPage(h, 'vacation.example', PASSWORD);
    ({ browser, page, pageErrors } = owner);
    aliasId = owner.alias.id;
    await h.control.setMailboxCredential(aliasId, 'mbx-me', 'mailbox password');
  });
  afterAll(async () => {
    await browser?.close();
    expect(h.codeBugs()).toEqual([]);
    expect(pageErrors).toEqual([]);
    await h?.close();
  });

  test('the editor shows a syntax error with line and column, keeps the text, then saves the fix', async () => {
    await page.goto(url(sievePage));
    const broken = 'require "fileinto";\nif header :contains "subject" "[list]" {\n  fileinto "Lists"\n}\n';
    await page.getByLabel('Script name').fill('lists');
    await page.getByLabel('Script', { exact: true }).fill(broken);
    await page.getByRole('button', { name: 'Save script' }).click();
    const alert = page.locator('#sieve-error').getByRole('alert');
    expect(await text(alert)).toMatch(/^Line 4, column 1: .+/);
    const context = await page.locator('#sieve-error-context').textContent();
    expect(context).toBe('4 | }\n  | ^');
    expect(await page.getByLabel('Script', { exact: true }).inputValue()).toBe(broken);
    expect(await page.getByLabel('Script name').inputValue()).toBe('lists');
    expect(await h.control.getSieveScript(aliasId, 'lists')).toBeNull();
    await page.screenshot({ path: join(SCREENSHOTS, 'sieve-editor-error.png'), fullPage: true });

    await page.getByLabel('Script', { exact: true }).fill(broken.replace('"Lists"\n', '"Lists";\n'));
    await page.getByRole('button', { name: 'Save script' }).click();
    expect(new URL(page.url()).pathname).toBe(sievePage);
    expect(await text(page.getByRole('status'))).toContain('Script “lists” saved.');
    expect(await page.locator('#sieve-error').count()).toBe(0);
    expect((await h.control.getActiveSieveScript(aliasId))?.name).toBe('lists');
    expect(await text(page.locator('table.scripts tbody tr').first())).toContain('lists yes');
  });

  test('the vacation form saves the active dashboard script and shows what was saved', async () => {
    await page.goto(url(sievePage));
    await page.getByLabel('Answer incoming mail automatically').check();
    await page.getByLabel('Subject of the reply (optional)').fill('Out of office');
    await page.getByLabel('Message').fill('Back on 5 January.');
    await page.getByLabel('First day (optional)').fill('2026-12-20');
    await page.getByLabel('Last day (optional)').fill('2027-01-04');
    await page.getByRole('button', { name: 'Save vacation reply' }).click();
    const script = await h.control.getActiveSieveScript(aliasId);
    expect(script?.name).toBe('dashboard');
    expect(script?.content).toContain('vacation :days 7 :subject "Out of office" "Back on 5 January.";');
    expect(await page.getByLabel('Last day (optional)').inputValue()).toBe('2027-01-04');
    await page.screenshot({ path: join(SCREENSHOTS, 'sieve-vacation.png'), fullPage: true });
  });
});
