/**
 * Recipient verification in the dashboard, through real HTTP with a logged-in session and CSRF tokens: the alias
 * form switches it on and off, saving emails the links (queued through the outbound queue, as the API does), the
 * alias page lists each forward with a button that sends a new link (the old one stops working), and a second
 * press within the interval is a 429 with Retry-After that says so.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

const aliases = '/domains/verify.example/aliases';

/** Tokens of the verification links queued for `recipient` since the last call. */
async function tokensFor(h: Harness, recipient: string): Promise<string[]> {
  const queued = await h.control.claimDue('test', new Date(Date.now() + 60_000), 50);
  return queued
    .filter((q) => q.recipients.some((r) => r.address === recipient))
    .map((q) => /\/v1\/aliases\/verify\?token=(\S+)$/m.exec(q.body.toString('latin1'))?.[1] ?? '');
}

async function setUp(h: Harness): Promise<WebClient> {
  const owner = await new WebClient(h.base).signUp('owner@verify.example');
  expect((await owner.post('/domains', { name: 'verify.example' })).status).toBe(303);
  await owner.get(aliases);
  const created = await owner.post(aliases, {
    name: 'fwd',
    recipients: 'erin@remote.test',
    is_enabled: 'on',
    error_code_if_disabled: '250',
    has_recipient_verification: 'on',
  });
  expect(created.status).toBe(303);
  return owner;
}

describe('recipient verification on the alias page', () => {
  let h: Harness;
  let owner: WebClient;
  beforeAll(async () => {
    h = await startHarness({ config: { api: { signupOpen: true } }, withSender: true, verificationResendMs: 0 });
    owner = await setUp(h);
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('the form switches it on, saving emails the link, the button sends a new one', async () => {
    const domain = await h.control.findDomainByName('verify.example');
    const alias = await h.control.findAlias(domain?.id ?? '', 'fwd');
    expect(alias?.hasRecipientVerification).toBe(true);
    const [first] = await tokensFor(h, 'erin@remote.test');
    expect(first).toMatch(/^myd_/);

    const page = await owner.get(`${aliases}/fwd`);
    expect(page.text).toMatch(/name="has_recipient_verification" type="checkbox" value="on" checked/);
    expect(page.text).toContain('Send the link again');
    const resent = await owner.post(`${aliases}/fwd/verifications/resend`, { recipient: 'erin@remote.test' });
    expect(resent.status).toBe(303);
    expect((await owner.get(`${aliases}/fwd`)).text).toContain('A new confirmation link was emailed');
    const [second] = await tokensFor(h, 'erin@remote.test');
    expect(second).toMatch(/^myd_/);
    expect(second).not.toBe(first);
    expect(await h.control.confirmRecipientVerification(first ?? '')).toBeNull();
    expect(await h.control.confirmRecipientVerification(second ?? '')).toMatchObject({ recipient: 'erin@remote.test' });

    // Confirmed: no button any more, and a forged press is a 409 on the page.
    const confirmed = await owner.get(`${aliases}/fwd`);
    expect(confirmed.text).not.toContain('Send the link again');
    expect((await owner.post(`${aliases}/fwd/verifications/resend`, { recipient: 'erin@remote.test' })).status).toBe(
      409,
    );

    // A recipient added on the page is asked when the alias is saved.
    await owner.get(`${aliases}/fwd`);
    const saved = await owner.post(`${aliases}/fwd`, {
      recipients: 'erin@remote.test\nfinn@remote.test',
      is_enabled: 'on',
      error_code_if_disabled: '250',
      has_recipient_verification: 'on',
    });
    expect(saved.status).toBe(303);
    expect(await tokensFor(h, 'finn@remote.test')).toHaveLength(1);

    // Unticked: verification off, the section gone.
    await owner.get(`${aliases}/fwd`);
    await owner.post(`${aliases}/fwd`, {
      recipients: 'erin@remote.test\nfinn@remote.test',
      is_enabled: 'on',
      error_code_if_disabled: '250',
    });
    expect((await h.control.findAlias(domain?.id ?? '', 'fwd'))?.hasRecipientVerification).toBe(false);
    expect((await owner.get(`${aliases}/fwd`)).text).not.toContain('Recipient verification</h2>');
  });
});

test('a second press within the interval: 429 with Retry-After and the reason, nothing queued', async () => {
  const h = await startHarness({ config: { api: { signupOpen: true } }, withSender: true });
  try {
    const owner = await setUp(h);
    expect(await tokensFor(h, 'erin@remote.test')).toHaveLength(1);
    await owner.get(`${aliases}/fwd`);
    const again = await owner.post(`${aliases}/fwd/verifications/resend`, { recipient: 'erin@remote.test' });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(again.text).toContain('less than 10 minutes ago');
    expect(await tokensFor(h, 'erin@remote.test')).toEqual([]);
    expect(h.codeBugs()).toEqual([]);
  } finally {
    await h.close();
  }
});

test("the domain's setting: switched on in the domain settings, every alias's forwards are asked", async () => {
  const h = await startHarness({ config: { api: { signupOpen: true } }, withSender: true });
  try {
    const owner = await new WebClient(h.base).signUp('owner@verify.example');
    expect((await owner.post('/domains', { name: 'verify.example' })).status).toBe(303);
    await owner.get(aliases);
    await owner.post(aliases, { name: 'plain', recipients: 'gus@remote.test', is_enabled: 'on' });
    expect(await tokensFor(h, 'gus@remote.test')).toEqual([]);
    await owner.get('/domains/verify.example');
    const saved = await owner.post('/domains/verify.example', {
      description: '',
      dmarc_policy: 'none',
      has_recipient_verification: 'on',
    });
    expect(saved.status).toBe(303);
    expect(await tokensFor(h, 'gus@remote.test')).toHaveLength(1);
    expect((await owner.get('/domains/verify.example')).text).toMatch(
      /name="has_recipient_verification" type="checkbox" value="on" checked/,
    );
    const page = await owner.get(`${aliases}/plain`);
    expect(page.text).toContain('Recipient verification</h2>');
    expect(page.text).toContain('Send the link again');
    expect(h.codeBugs()).toEqual([]);
  } finally {
    await h.close();
  }
});
