import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('domains', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    alice = await h.signUp('alice@example.org');
    bob = await h.signUp('bob@example.org');
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('creating a domain generates a DKIM key and lists the DNS records to publish', async () => {
    const res = await h.call('POST', '/v1/domains', { token: alice, json: { name: 'Example.COM' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'example.com', name_unicode: 'example.com', dmarc_policy: 'quarantine' });
    const byPurpose = Object.fromEntries(res.body.dns_records.map((r: { purpose: string }) => [r.purpose, r]));
    expect(byPurpose.mx).toMatchObject({ type: 'MX', name: 'example.com', value: 'mx.mailyard.test', priority: 10 });
    expect(byPurpose.spf).toMatchObject({ type: 'TXT', name: 'example.com', value: 'v=spf1 mx -all' });
    expect(byPurpose.dmarc).toMatchObject({ name: '_dmarc.example.com', value: 'v=DMARC1; p=quarantine' });
    expect(byPurpose.verification.value).toBe(`mailyard-verification=${res.body.verification_token}`);
    expect(byPurpose.dkim.name).toBe(`${res.body.dkim_selector}._domainkey.example.com`);
    const p = /p=([A-Za-z0-9+/=]+)$/.exec(byPurpose.dkim.value)?.[1] ?? '';
    const key = createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const dkim = await h.control.getDkimKey('example.com');
    expect(dkim?.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  test('IDN domains are stored in punycode and shown in Unicode too', async () => {
    const res = await h.call('POST', '/v1/domains', { token: alice, json: { name: 'Bücher.Example' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'xn--bcher-kva.example', name_unicode: 'bücher.example' });
    for (const ref of ['xn--bcher-kva.example', encodeURIComponent('bücher.example'), res.body.id]) {
      const got = await h.call('GET', `/v1/domains/${ref}`, { token: alice });
      expect(got.status, ref).toBe(200);
      expect(got.body.id).toBe(res.body.id);
    }
    const filtered = await h.call('GET', `/v1/domains?name=${encodeURIComponent('bücher')}`, { token: alice });
    expect(filtered.body.map((d: { name: string }) => d.name)).toEqual(['xn--bcher-kva.example']);
    const emoji = await h.call('POST', '/v1/domains', { token: alice, json: { name: '☃.example' } });
    expect(emoji.body.name).toBe('xn--n3h.example');
  });

  test.each([
    ['no dot', 'localhost'],
    ['leading hyphen', '-bad.example'],
    ['empty label', 'a..example'],
    ['space', 'my domain.example'],
    ['underscore', 'my_domain.example'],
    ['long label', `${'x'.repeat(64)}.example`],
    ['too long', `${'abcdefghi.'.repeat(26)}com`],
    ['IP address', '192.168.0.1'],
    ['address', 'user@example.com'],
    ['empty', ''],
  ])('rejects an invalid domain name (%s) with 400', async (_why, name) => {
    const res = await h.call('POST', '/v1/domains', { token: alice, json: { name } });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('name');
  });

  test('a duplicate domain is 409, also across accounts', async () => {
    await h.call('POST', '/v1/domains', { token: alice, json: { name: 'dup.example' } });
    expect((await h.call('POST', '/v1/domains', { token: alice, json: { name: 'DUP.example' } })).status).toBe(409);
    expect((await h.call('POST', '/v1/domains', { token: bob, json: { name: 'dup.example' } })).status).toBe(409);
  });

  test('lists with paging headers, sorting and a name filter', async () => {
    const token = await h.signUp('pager@example.org');
    for (const n of ['d.example', 'a.example', 'c.example', 'b.example', 'e.example']) {
      await h.call('POST', '/v1/domains', { token, json: { name: n } });
    }
    const page2 = await h.call('GET', '/v1/domains?limit=2&page=2', { token });
    expect(page2.body.map((d: { name: string }) => d.name)).toEqual(['c.example', 'd.example']);
    expect(page2.headers.get('x-item-count')).toBe('5');
    expect(page2.headers.get('x-page-count')).toBe('3');
    expect(page2.headers.get('x-page-current')).toBe('2');
    expect(page2.headers.get('x-page-size')).toBe('2');
    expect(page2.headers.get('link')).toContain('</v1/domains?limit=2&page=3>; rel="next"');
    const newest = await h.call('GET', '/v1/domains?sort=-created_at&limit=1', { token });
    expect(newest.body[0].name).toBe('e.example');
    const byName = await h.call('GET', '/v1/domains?sort=-name', { token });
    expect(byName.body.map((d: { name: string }) => d.name)[0]).toBe('e.example');
    expect((await h.call('GET', '/v1/domains?limit=1001', { token })).status).toBe(400);
    expect((await h.call('GET', '/v1/domains?page=0', { token })).status).toBe(400);
    expect((await h.call('GET', '/v1/domains?sort=size', { token })).body.field).toBe('sort');
    const empty = await h.call('GET', '/v1/domains?page=9', { token });
    expect(empty.body).toEqual([]);
  });

  test('updates and deletes', async () => {
    const created = await h.call('POST', '/v1/domains', { token: alice, json: { name: 'upd.example' } });
    const put = await h.call('PUT', '/v1/domains/upd.example', {
      token: alice,
      json: { dmarc_policy: 'reject', description: 'Büro' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ dmarc_policy: 'reject', description: 'Büro' });
    const dmarc = put.body.dns_records.find((r: { purpose: string }) => r.purpose === 'dmarc');
    expect(dmarc.value).toBe('v=DMARC1; p=reject');
    const bad = await h.call('PUT', '/v1/domains/upd.example', { token: alice, json: { dmarc_policy: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('dmarc_policy');
    expect((await h.call('DELETE', `/v1/domains/${created.body.id}`, { token: alice })).status).toBe(204);
    expect((await h.call('GET', '/v1/domains/upd.example', { token: alice })).status).toBe(404);
    expect(await h.control.isHostedDomain('upd.example')).toBe(false);
  });

  test("another account's domain is 404 everywhere, like a missing one", async () => {
    const mine = await h.call('POST', '/v1/domains', { token: alice, json: { name: 'private.example' } });
    const refs = ['private.example', mine.body.id];
    for (const ref of refs) {
      for (const [method, path, json] of [
        ['GET', `/v1/domains/${ref}`],
        ['PUT', `/v1/domains/${ref}`, { description: 'mine now' }],
        ['DELETE', `/v1/domains/${ref}`],
        ['GET', `/v1/domains/${ref}/verify-records`],
        ['GET', `/v1/domains/${ref}/aliases`],
        ['POST', `/v1/domains/${ref}/aliases`, { name: 'steal' }],
      ] as const) {
        const theirs = await h.call(method, path, { token: bob, json });
        expect(theirs.status, `${method} ${path}`).toBe(404);
        expect(theirs.body.message).toBe('domain not found');
      }
    }
    const missing = await h.call('GET', '/v1/domains/missing.example', { token: bob });
    expect(missing.body).toEqual((await h.call('GET', '/v1/domains/private.example', { token: bob })).body);
    const bobs = await h.call('GET', '/v1/domains', { token: bob });
    expect(bobs.body.map((d: { name: string }) => d.name)).not.toContain('private.example');
    expect((await h.call('GET', '/v1/domains/private.example', { token: alice })).status).toBe(200);
  });
});
