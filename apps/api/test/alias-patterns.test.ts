/**
 * Aliases as people use them over the REST API: wildcard and regex names created or refused with a 400 that says
 * why, labels filtered with ?label=, error_code_if_disabled, and recipient verification from the queued email's
 * link (GET /v1/aliases/verify changes nothing; POST with its token confirms, no API token) and the MX's routing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('pattern aliases, labels, disabled answers, recipient verification', () => {
  let h: Harness;
  let token: string;
  const url = '/v1/domains/patterns.example/aliases';

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true, sender: {} });
    token = await h.signUp('owner@example.org');
    await h.call('POST', '/v1/domains', { token, json: { name: 'patterns.example', verified: true } });
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('creates wildcard and regex aliases and routes to them', async () => {
    const wild = await h.call('POST', url, { token, json: { name: 'Sales*', recipients: ['a@remote.test'] } });
    expect(wild.status).toBe(201);
    expect(wild.body).toMatchObject({
      name: 'sales*',
      pattern_kind: 'wildcard',
      labels: [],
      error_code_if_disabled: 250,
    });
    const regex = await h.call('POST', url, {
      token,
      json: { name: '/^Support-\\d+$/', recipients: ['b@remote.test'] },
    });
    expect(regex.status).toBe(201);
    expect(regex.body).toMatchObject({ name: '/^Support-\\d+$/', pattern_kind: 'regex' });
    const byName = await h.call('GET', `${url}/${encodeURIComponent('/^Support-\\d+$/')}`, { token });
    expect(byName.body.id).toBe(regex.body.id);
    expect((await h.control.resolveRecipient('salesforce@patterns.example'))?.alias.id).toBe(wild.body.id);
    expect((await h.control.resolveRecipient('support-7@patterns.example'))?.alias.id).toBe(regex.body.id);
    const password = await h.call('POST', `${url}/${wild.body.id}/generate-password`, { token });
    expect(password.status).toBe(400);
    expect(password.body.message).toMatch(/pattern alias cannot have a mailbox/);
  });

  test.each([
    ['**', /catch-all/],
    ['/.*/', /catch-all/],
    ['/(a+)\\1/', /unsupported regular expression/],
    ['/(?=a)b/', /unsupported regular expression/],
    ['/a{5000}/', /unsupported regular expression/],
    [`/${'a'.repeat(128)}b/`, /longer than 128|too_big|130/i],
    ['a*b*c*d*e*f', /at most 4 wildcards/],
  ])('refuses %s with a 400 that says why', async (name, message) => {
    const reply = await h.call('POST', url, { token, json: { name } });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toMatch(message);
  });

  test('a wildcard equal to an existing one is a 409', async () => {
    await h.call('POST', url, { token, json: { name: 'team-*' } });
    const again = await h.call('POST', url, { token, json: { name: 'TEAM-**' } });
    expect(again.status).toBe(409);
  });

  test('labels are kept lowercase and filter the list', async () => {
    const a = await h.call('POST', url, { token, json: { name: 'billing', labels: ['Finance', 'eu'] } });
    expect(a.body.labels).toEqual(['finance', 'eu']);
    await h.call('POST', url, { token, json: { name: 'invoices', labels: ['finance'] } });
    const list = await h.call('GET', `${url}?label=finance`, { token });
    expect(list.status).toBe(200);
    expect(list.body.map((x: { name: string }) => x.name)).toEqual(['billing', 'invoices']);
    expect(list.headers.get('x-item-count')).toBe('2');
    expect((await h.call('GET', `${url}?label=eu&name=bill`, { token })).body).toHaveLength(1);
    const bad = await h.call('POST', url, { token, json: { name: 'x', labels: ['two words'] } });
    expect(bad.status).toBe(400);
  });

  test('error_code_if_disabled is 250, 421 or 550', async () => {
    const created = await h.call('POST', url, {
      token,
      json: { name: 'paused', is_enabled: false, error_code_if_disabled: 421 },
    });
    expect(created.body).toMatchObject({ is_enabled: false, error_code_if_disabled: 421 });
    expect((await h.control.routeRecipient('paused@patterns.example'))?.alias.errorCodeIfDisabled).toBe(421);
    const bad = await h.call('PUT', `${url}/paused`, { token, json: { error_code_if_disabled: 404 } });
    expect(bad.status).toBe(400);
  });

  test('recipient verification: the queued email carries the link that confirms the forward', async () => {
    const created = await h.call('POST', url, {
      token,
      json: { name: 'fwd', recipients: ['Erin@Remote.test'], has_recipient_verification: true },
    });
    expect(created.status).toBe(201);
    expect((await h.control.routeRecipient('fwd@patterns.example'))?.awaitingVerification).toEqual([
      'erin@remote.test',
    ]);
    const queued = await h.control.claimDue('test', new Date(Date.now() + 1000), 10);
    const mail = queued.find((q) => q.recipients.some((r) => r.address === 'erin@remote.test'));
    const raw = mail?.body.toString('latin1') ?? '';
    expect(raw).toMatch(/^Subject: Confirm forwarding from fwd@patterns\.example/m);
    expect(raw).toMatch(/^DKIM-Signature: /m);
    const link = /^(http\S+\/v1\/aliases\/verify\?token=\S+)$/m.exec(raw)?.[1] ?? '';
    const path = new URL(link).pathname + new URL(link).search;
    const pending = await h.call('GET', `${url}/fwd/recipient-verifications`, { token });
    expect(pending.body).toEqual([expect.objectContaining({ recipient: 'erin@remote.test', verified_at: null })]);
    // Opening the link (what a mail scanner does too) changes nothing; its page's button POSTs the token.
    expect((await h.call('GET', path, { headers: { accept: 'application/json' } })).body).toEqual({
      recipient: 'erin@remote.test',
      alias: 'fwd@patterns.example',
      verified: false,
    });
    expect((await h.control.routeRecipient('fwd@patterns.example'))?.awaitingVerification).toEqual([
      'erin@remote.test',
    ]);
    const linkToken = new URL(link).searchParams.get('token') ?? '';
    const confirmed = await h.call('POST', '/v1/aliases/verify', { json: { token: linkToken } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ recipient: 'erin@remote.test', alias: 'fwd@patterns.example', verified: true });
    expect((await h.call('POST', '/v1/aliases/verify', { json: { token: linkToken } })).status).toBe(200);
    expect((await h.call('POST', '/v1/aliases/verify', { json: { token: 'myd_not-a-token' } })).status).toBe(404);
    expect((await h.control.routeRecipient('fwd@patterns.example'))?.awaitingVerification).toEqual([]);
    const done = await h.call('GET', `${url}/fwd/recipient-verifications`, { token });
    expect(done.body[0].verified_at).toEqual(expect.any(String));
    // A new recipient is asked; the confirmed one stays confirmed.
    await h.call('PUT', `${url}/fwd`, { token, json: { recipients: ['erin@remote.test', 'finn@remote.test'] } });
    const after = await h.call('GET', `${url}/fwd/recipient-verifications`, { token });
    expect(
      after.body.map((v: { recipient: string; verified_at: string | null }) => [v.recipient, v.verified_at !== null]),
    ).toEqual([
      ['erin@remote.test', true],
      ['finn@remote.test', false],
    ]);
  });
});
