/**
 * The backup page in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core): from the alias
 * page to the backup page, a wrong mailbox password shown above the form, the encrypted copy downloaded as a file
 * that opens with the password, and an mbox file chosen in the import form followed to its status page, which
 * refreshes itself until the import is done. Screenshots go to artifacts/screenshots. Skips with a printed reason
 * without Chromium, fails when CI=true.
 */
/// <reference lib="dom" />
import { join } from 'node:path';
import { issueMailboxPassword } from '@mailyard/control';
import { openMailboxCopy } from '@mailyard/transfer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasChromium, openOwnerPage, SCREENSHOTS, text } from './chromium.js';
import { type Harness, startHarness } from './harness.js';

const ACCOUNT_PASSWORD = 'a long enough passphrase';
const MAILBOX_PASSWORD = 'the mailbox password';

function message(n: number): Buffer {
  return Buffer.from(
    `From: a@remote.example\r\nTo: me@click.example\r\nSubject: note ${n}\r\nMessage-ID: <note-${n}@remote.example>\r\n\r\nbody ${n}\r\n`,
  );
}

describe.skipIf(!hasChromium)('backup page in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let mailboxId = '';
  let pageErrors: string[] = [];
  const url = (path: string) => `${h.base}${path}`;
  const aliasPage = '/domains/click.example/aliases/me';

  beforeAll(async () => {
    h = await startHarness();
    const owner = await openOwnerPage(h, 'click.example', ACCOUNT_PASSWORD, { acceptDownloads: true });
    ({ browser, page, pageErrors } = owner);
    const issued = await issueMailboxPassword(h.control, h.mailstore, owner.alias, { newPassword: MAILBOX_PASSWORD });
    mailboxId = issued.mailboxId;
    const session = await h.mailstore.open(mailboxId, MAILBOX_PASSWORD);
    try {
      for (let n = 1; n <= 3; n++) await session.append('INBOX', message(n), { flags: ['\\Seen'] });
    } finally {
      session.close();
    }
  });
  afterAll(async () => {
    await browser?.close();
    expect(h.codeBugs()).toEqual([]);
    expect(pageErrors).toEqual([]);
    await h?.close();
  });

  test('download the encrypted copy, after a wrong password is refused on the page', async () => {
    await page.goto(url(aliasPage));
    await page.getByRole('link', { name: 'Download a backup, import mail or restore a backup' }).click();
    expect(new URL(page.url()).pathname).toBe(`${aliasPage}/backup`);
    const download = page.locator('form[action$="/backup/download"]');
    await download.getByLabel('Mailbox password').fill('not it');
    await download.getByRole('button', { name: 'Download the encrypted copy' }).click();
    expect(await text(page.getByRole('alert'))).toBe('The mailbox password is wrong.');
    await page.screenshot({ path: join(SCREENSHOTS, 'backup-wrong-password.png'), fullPage: true });

    await download.getByLabel('Mailbox password').fill(MAILBOX_PASSWORD);
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      download.getByRole('button', { name: 'Download the encrypted copy' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe('me@click.example.mailyard-copy.zip');
    const saved = join(h.dataDir, 'browser-copy.zip');
    await file.saveAs(saved);
    const copy = await openMailboxCopy(saved, { password: MAILBOX_PASSWORD }, h.dataDir);
    try {
      expect(copy.session.listMessages('INBOX')).toHaveLength(3);
    } finally {
      await copy.close();
    }
  });

  test('import an mbox chosen in the form; the status page refreshes itself until done', async () => {
    await page.goto(url(`${aliasPage}/backup`));
    // An mbox entry: the From line, the message, the blank line that ends it.
    const entry = (n: number) =>
      Buffer.concat([Buffer.from('From a@remote.example Thu Jan  1 00:00:00 2026\n'), message(n), Buffer.from('\r\n')]);
    const mbox = Buffer.concat([4, 5, 1].map(entry));
    const form = page.locator('form[action$="/backup/import"]');
    await form.getByLabel('Mailbox password').fill(MAILBOX_PASSWORD);
    await form
      .getByLabel('File to import')
      .setInputFiles({ name: 'old.mbox', mimeType: 'application/mbox', buffer: mbox });
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    expect(new URL(page.url()).pathname).toMatch(/\/backup\/jobs\/I[0-9a-f]{24}$/);
    // No script: the Refresh header reloads the page until the import is over.
    await page.locator('.status-done').waitFor({ timeout: 60_000 });
    expect(await text(page.locator('#job-imported'))).toBe('2');
    expect(await text(page.locator('#job-duplicates'))).toBe('1');
    await page.screenshot({ path: join(SCREENSHOTS, 'backup-import-done.png'), fullPage: true });
    const session = await h.mailstore.open(mailboxId, MAILBOX_PASSWORD);
    try {
      expect(session.listMessages('INBOX')).toHaveLength(5);
    } finally {
      session.close();
    }
  });
});
