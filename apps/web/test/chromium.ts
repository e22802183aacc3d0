/**
 * What the dashboard's headless-Chromium tests share: Debian's /usr/bin/chromium driven through playwright-core
 * (`hasChromium` is false, with a printed reason, where it is missing; CI=true makes that a failure), the folder
 * screenshots go to, reading an element's text as a person does, and a page signed up in the dashboard as the owner
 * of a domain with one alias `me`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Alias, Domain } from '@mailyard/control';
import { findExecutable, repoRoot, unavailable } from '@mailyard/testkit';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import type { Harness } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const hasChromium =
  findExecutable(CHROMIUM) !== undefined || unavailable(`${CHROMIUM} not found (apt-get install -y chromium)`);

/** Where the browser tests leave their screenshots (artifacts/screenshots, created on launch). */
export const SCREENSHOTS = join(repoRoot(), 'artifacts', 'screenshots');

/** The element's text with white space collapsed, as a person reads it. */
export const text = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();

/** Headless Chromium; the screenshots folder exists once it returns. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export interface OwnerPage {
  browser: Browser;
  page: Page;
  /** Uncaught errors of the page's scripts; a test expects none. */
  pageErrors: string[];
  domain: Domain;
  /** The domain's alias `me`, with IMAP. */
  alias: Alias;
}

/**
 * Launches Chromium with one 1200×900 page, signs up in the dashboard as owner@`domainName` with `password`, and
 * gives that account the domain (its DNS not verified) and an alias `me` with IMAP, made in the control store.
 */
export async function openOwnerPage(
  h: Harness,
  domainName: string,
  password: string,
  opts: { acceptDownloads?: boolean } = {},
): Promise<OwnerPage> {
  const browser = await launchChromium();
  try {
    return { browser, ...(await signUpOwner(browser, h, domainName, password, opts)) };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

async function signUpOwner(
  browser: Browser,
  h: Harness,
  domainName: string,
  password: string,
  opts: { acceptDownloads?: boolean },
): Promise<Omit<OwnerPage, 'browser'>> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...opts });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const owner = `owner@${domainName}`;
  await page.goto(`${h.base}/signup`);
  await page.getByLabel('Email').fill(owner);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  const account = await h.control.findAccountByEmail(owner);
  const domain = await h.control.createDomain({
    accountId: account?.id ?? '',
    name: domainName,
    verificationToken: 't',
    dkim: { selector: 's', publicKey: 'p', privateKeyPem: 'k' },
  });
  const alias = await h.control.createAlias(domain.id, { name: 'me', hasImap: true });
  return { page, pageErrors, domain, alias };
}
