/**
 * The page of a recipient verification link over the real HTTP server: opening the link (as a mail scanner or a
 * link preview does) changes nothing and shows a self-contained page with a form that POSTs the token; the POST
 * confirms (form-encoded from a browser: an HTML page; JSON: JSON), twice is fine, an unknown token is a 404 both
 * ways, and a browser's cross-site post is refused.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const url = '/v1/domains/page.example/aliases';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('recipient verification page', () => {
  let h: Harness;
  let apiToken: string;

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true, sender: {} });
    apiToken = await h.signUp('owner@example.org');
    await h.call('POST', '/v1/domains', { token: apiToken, json: { name: 'page.example', verified: true } });
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  /** Creates alias `name` forwarding to `recipient` with verification on; the token of the queued email's link. */
  async function linkToken(name: string, recipient: string): Promise<string> {
    const created = await h.call('POST', url, {
      token: apiToken,
      json: { name, recipients: [recipient], has_recipient_verification: true },
    });
    expect(created.status).toBe(201);
    const queued = await h.control.claimDue('test', new Date(Date.now() + 60_000), 50);
    const raw = queued.find((q) => q.recipients.some((r) => r.address === recipient))?.body.toString('latin1') ?? '';
    const link = /^(http\S+\/v1\/aliases\/verify\?token=\S+)$/m.exec(raw)?.[1] ?? '';
    return new URL(link).searchParams.get('token') ?? '';
  }

  async function verifiedAt(name: string): Promise<string | null> {
    const list = await h.call('GET', `${url}/${name}/recipient-verifications`, { token: apiToken });
    return list.body[0].verified_at;
  }

  function page(token: string, accept = BROWSER_ACCEPT) {
    return fetch(`${h.base}/v1/aliases/verify?token=${encodeURIComponent(token)}`, { headers: { accept } });
  }

  /**
   * A POST with exactly these headers: node:http, because fetch sets Sec-Fetch-* and Origin on its own terms.
   * Resolves with the status and the body's text.
   */
  function post(
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; type: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${h.base}/v1/aliases/verify`, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            type: String(res.headers['content-type'] ?? ''),
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  test('opening the link shows a self-contained page with the form and confirms nothing', async () => {
    const token = await linkToken('news', 'gail@remote.test');
    for (const accept of [BROWSER_ACCEPT, '*/*']) {
      const res = await page(token, accept);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/form-action 'self'/);
      const html = await res.text();
      expect(html).toContain('news@page.example');
      expect(html).toContain('gail@remote.test');
      expect(html).toMatch(/<form method="post" action="verify">/);
      expect(html).toContain(`<input type="hidden" name="token" value="${token}">`);
      // Nothing loaded from anywhere: no script, image, link element or URL of any kind; the token only in the field.
      expect(html).not.toMatch(/<(script|img|link|iframe|object|embed)\b|https?:|src=|href=|url\(/i);
      expect(html.split(token)).toHaveLength(2);
    }
    await fetch(`${h.base}/v1/aliases/verify?token=${encodeURIComponent(token)}`, { method: 'HEAD' });
    expect(await verifiedAt('news')).toBeNull();
    expect((await h.control.routeRecipient('news@page.example'))?.awaitingVerification).toEqual(['gail@remote.test']);
  });

  test('a JSON GET describes the link without confirming it', async () => {
    const token = await linkToken('described', 'hal@remote.test');
    const res = await h.call('GET', `/v1/aliases/verify?token=${encodeURIComponent(token)}`, {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({ recipient: 'hal@remote.test', alias: 'described@page.example', verified: false });
    expect(await verifiedAt('described')).toBeNull();
  });

  test("the page's form post confirms with an HTML page; a second post keeps the first confirmation", async () => {
    const token = await linkToken('form', 'ivy@remote.test');
    // What a browser sends for the page's button: same-origin, and Origin null under Referrer-Policy no-referrer.
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: BROWSER_ACCEPT,
      origin: 'null',
      'sec-fetch-site': 'same-origin',
    };
    const res = await post(new URLSearchParams({ token }).toString(), headers);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/html/);
    const html = res.text;
    expect(html).toMatch(/Confirmed: mail sent to <b>form@page\.example<\/b> is forwarded to <b>ivy@remote\.test<\/b>/);
    expect(html).not.toContain(token);
    const first = await verifiedAt('form');
    expect(first).toEqual(expect.any(String));
    expect((await h.control.routeRecipient('form@page.example'))?.awaitingVerification).toEqual([]);

    const again = await post(new URLSearchParams({ token }).toString(), headers);
    expect(again.status).toBe(200);
    expect(again.text).toMatch(/This was confirmed before/);
    expect(await verifiedAt('form')).toBe(first);
    // The link's page now says so, without a form.
    const shown = await (await page(token)).text();
    expect(shown).toMatch(/This was confirmed before/);
    expect(shown).not.toMatch(/<form/);
    expect(
      (await h.call('GET', `/v1/aliases/verify?token=${token}`, { headers: { accept: 'application/json' } })).body,
    ).toMatchObject({ verified: true });
  });

  test('an API client confirms with JSON or a form body and gets JSON', async () => {
    const token = await linkToken('api', 'jo@remote.test');
    const res = await h.call('POST', '/v1/aliases/verify', { json: { token } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recipient: 'jo@remote.test', alias: 'api@page.example', verified: true });
    const form = await h.call('POST', '/v1/aliases/verify', {
      body: `token=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({ verified: true });
    expect(await verifiedAt('api')).toEqual(expect.any(String));
  });

  test('an unknown token is a 404 page or a JSON 404, on GET and on POST', async () => {
    const unknown = 'myd_not-a-token';
    const res = await page(unknown);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/unknown or no longer valid/);
    const json = await h.call('GET', `/v1/aliases/verify?token=${unknown}`, {
      headers: { accept: 'application/json' },
    });
    expect(json.status).toBe(404);
    const form = await post(`token=${unknown}`, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: BROWSER_ACCEPT,
    });
    expect(form.status).toBe(404);
    expect(form.text).toMatch(/unknown or no longer valid/);
    expect((await h.call('POST', '/v1/aliases/verify', { json: { token: unknown } })).status).toBe(404);
    expect((await h.call('POST', '/v1/aliases/verify', { json: {} })).status).toBe(400);
  });

  test("another site's page cannot post a token: 403, nothing confirmed", async () => {
    const token = await linkToken('guarded', 'kim@remote.test');
    const body = new URLSearchParams({ token }).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded', accept: BROWSER_ACCEPT };
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://attacker.example' },
    ];
    for (const extra of crossSite) {
      const res = await post(body, { ...form, ...extra });
      expect([res.status, extra]).toEqual([403, extra]);
    }
    expect(await verifiedAt('guarded')).toBeNull();
    // Sec-Fetch-Site decides when a browser sends it (an Origin a proxy in front of the API changes does not count).
    expect((await post(body, { ...form, origin: 'https://mx.example', 'sec-fetch-site': 'same-origin' })).status).toBe(
      200,
    );
    expect(await verifiedAt('guarded')).toEqual(expect.any(String));
    expect((await post(body, { ...form, origin: h.base })).status).toBe(200);
  });
});
