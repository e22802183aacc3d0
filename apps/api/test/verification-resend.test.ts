/**
 * Sending a recipient verification email again (POST .../recipient-verifications/resend): a new link queued and
 * the old one dead; 429 with Retry-After within the interval since the last email (the default 10 minutes); 409
 * for a recipient that confirmed or an alias without verification, 404 for an address that is not an external
 * forward, 503 without a message sender. Real API, control store and outbound queue.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const url = '/v1/domains/resend.example/aliases';

async function setUp(h: Harness): Promise<string> {
  const token = await h.signUp('owner@example.org');
  await h.call('POST', '/v1/domains', { token, json: { name: 'resend.example', verified: true } });
  const created = await h.call('POST', url, {
    token,
    json: { name: 'fwd', recipients: ['erin@remote.test', 'finn@remote.test'], has_recipient_verification: true },
  });
  expect(created.status).toBe(201);
  return token;
}

/** The verification links queued for `recipient` since the last call, oldest first, as API paths. */
async function linksTo(h: Harness, recipient: string): Promise<string[]> {
  const queued = await h.control.claimDue('test', new Date(Date.now() + 60_000), 50);
  return queued
    .filter((q) => q.recipients.some((r) => r.address === recipient))
    .map((q) => {
      const link = /^(http\S+\/v1\/aliases\/verify\?token=\S+)$/m.exec(q.body.toString('latin1'))?.[1] ?? '';
      return new URL(link).pathname + new URL(link).search;
    });
}

/** Confirms as the link's page does: POSTs the token of the link's path. */
async function confirm(h: Harness, path: string | undefined) {
  const token = new URLSearchParams((path ?? '').split('?')[1] ?? '').get('token') ?? '';
  return h.call('POST', '/v1/aliases/verify', { json: { token } });
}

describe('resend with the default interval', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness({ signupOpen: true, sender: {} });
    token = await setUp(h);
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('right after the first email: 429 with Retry-After, nothing queued, the first link still works', async () => {
    const [first] = await linksTo(h, 'erin@remote.test');
    const again = await h.call('POST', `${url}/fwd/recipient-verifications/resend`, {
      token,
      json: { recipient: 'erin@remote.test' },
    });
    expect(again.status).toBe(429);
    const retryAfter = Number(again.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(500);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await linksTo(h, 'erin@remote.test')).toEqual([]);
    expect((await confirm(h, first)).status).toBe(200);
  });
});

describe('resend once the interval is over', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness({ signupOpen: true, sender: {}, rateLimits: { verificationResendMs: 0 } });
    token = await setUp(h);
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  const resend = (recipient: string, alias = 'fwd') =>
    h.call('POST', `${url}/${alias}/recipient-verifications/resend`, { token, json: { recipient } });

  test('a new link is queued and the old one no longer confirms; the new one does', async () => {
    const [old] = await linksTo(h, 'finn@remote.test');
    // Form bodies as curl -d sends them work the same; the address is matched case-insensitively.
    const again = await h.call('POST', `${url}/fwd/recipient-verifications/resend`, {
      token,
      body: 'recipient=Finn%40Remote.test',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ recipient: 'finn@remote.test', sent_at: expect.any(String) });
    const [fresh] = await linksTo(h, 'finn@remote.test');
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(old);
    expect((await confirm(h, old)).status).toBe(404);
    expect((await confirm(h, fresh)).status).toBe(200);
    // Confirmed: nothing to send any more.
    const done = await resend('finn@remote.test');
    expect(done.status).toBe(409);
    expect(done.body.message).toMatch(/already confirmed/);
  });

  test('not an external forward: 404; verification off: 409; a bad body: 400', async () => {
    expect((await resend('nobody@remote.test')).status).toBe(404);
    await h.call('POST', url, { token, json: { name: 'plain', recipients: ['gus@remote.test'] } });
    const off = await resend('gus@remote.test', 'plain');
    expect(off.status).toBe(409);
    expect(off.body.message).toMatch(/verification is off/);
    const bad = await h.call('POST', `${url}/fwd/recipient-verifications/resend`, { token, json: {} });
    expect(bad.status).toBe(400);
  });
});

test('an API process without a message sender answers 503', async () => {
  const h = await startHarness({ signupOpen: true });
  try {
    const token = await setUp(h);
    const reply = await h.call('POST', `${url}/fwd/recipient-verifications/resend`, {
      token,
      json: { recipient: 'erin@remote.test' },
    });
    expect(reply.status).toBe(503);
  } finally {
    await h.close();
  }
});

test('the domain-wide setting: every alias verifies its forwards, switching it on emails the links', async () => {
  const h = await startHarness({ signupOpen: true, sender: {}, rateLimits: { verificationResendMs: 0 } });
  try {
    const token = await h.signUp('owner@example.org');
    await h.call('POST', '/v1/domains', { token, json: { name: 'resend.example', verified: true } });
    // An alias made before, without its own setting: nothing is asked yet.
    await h.call('POST', url, { token, json: { name: 'old', recipients: ['olga@remote.test'] } });
    expect(await linksTo(h, 'olga@remote.test')).toEqual([]);
    const on = await h.call('PUT', '/v1/domains/resend.example', {
      token,
      body: 'has_recipient_verification=true',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(on.status).toBe(200);
    expect(on.body.has_recipient_verification).toBe(true);
    expect(await linksTo(h, 'olga@remote.test')).toHaveLength(1);
    expect((await h.control.routeRecipient('old@resend.example'))?.awaitingVerification).toEqual(['olga@remote.test']);
    // A new alias without its own setting is asked too, and a new link can be sent.
    await h.call('POST', url, { token, json: { name: 'new', recipients: ['nina@remote.test'] } });
    expect(await linksTo(h, 'nina@remote.test')).toHaveLength(1);
    const again = await h.call('POST', `${url}/new/recipient-verifications/resend`, {
      token,
      json: { recipient: 'nina@remote.test' },
    });
    expect(again.status).toBe(200);
    // Off again: the aliases forward without asking.
    await h.call('PUT', '/v1/domains/resend.example', { token, json: { has_recipient_verification: false } });
    expect((await h.control.routeRecipient('old@resend.example'))?.awaitingVerification).toBeUndefined();
    expect(h.errors).toEqual([]);
  } finally {
    await h.close();
  }
});
