/**
 * Quotas over the REST API: max_quota (bytes or "10GB") and max_messages on aliases, max_quota_per_alias and
 * max_quota on domains, shown with the usage; 400 for bad values, 403 for a non-administrator going above the
 * server default; a message stored with mailbox credentials over the quota is a 422 (code OVERQUOTA), and the
 * usage shown afterwards is the mailbox's.
 */
import { waitFor } from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const DOMAIN = 'quota.example';
const aliases = `/v1/domains/${DOMAIN}/aliases`;

function message(subject: string, body: string): string {
  return [`From: a@${DOMAIN}`, `To: box@${DOMAIN}`, `Subject: ${subject}`, '', body, ''].join('\r\n');
}

describe('quotas', () => {
  let h: Harness;
  let token: string;
  let other: string;

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    token = await h.signUp(`owner@${DOMAIN}`);
    other = await h.signUp('someone@else.example');
    expect((await h.call('POST', '/v1/domains', { token, json: { name: DOMAIN, verified: true } })).status).toBe(201);
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('an alias takes max_quota as bytes or a size string and shows its limits and usage', async () => {
    const created = await h.call('POST', aliases, {
      token,
      json: { name: 'box', has_imap: true, max_quota: '1MB', max_messages: 5 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      max_quota: 1024 * 1024,
      max_messages: 5,
      effective_max_quota: 1024 * 1024,
      storage_used: 0,
      message_count: 0,
    });
    const updated = await h.call('PUT', `${aliases}/box`, { token, json: { max_quota: 4096 } });
    expect(updated.body).toMatchObject({ max_quota: 4096, max_messages: 5, effective_max_quota: 4096 });
    const listed = await h.call('GET', aliases, { token });
    expect(listed.body.find((a: { name: string }) => a.name === 'box')).toMatchObject({ max_quota: 4096 });
  });

  test('bad values are a 400 naming the field, and nothing changes', async () => {
    for (const json of [{ max_quota: 'lots' }, { max_quota: -5 }, { max_quota: 1.5 }, { max_messages: 'ten' }]) {
      const res = await h.call('PUT', `${aliases}/box`, { token, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.message).toMatch(/max_quota|max_messages/);
    }
    const refused = await h.call('POST', aliases, { token, json: { name: 'never', max_quota: '12 parsecs' } });
    expect(refused.status).toBe(400);
    expect((await h.call('GET', `${aliases}/never`, { token })).status).toBe(404);
    expect((await h.call('GET', `${aliases}/box`, { token })).body.max_quota).toBe(4096);
  });

  test('a domain takes max_quota_per_alias and max_quota; aliases without their own inherit', async () => {
    const put = await h.call('PUT', `/v1/domains/${DOMAIN}`, {
      token,
      json: { max_quota_per_alias: '2MB', max_quota: 3_000_000 },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ max_quota_per_alias: 2 * 1024 * 1024, max_quota: 3_000_000, storage_used: 0 });
    expect((await h.call('GET', `/v1/domains/${DOMAIN}`, { token })).body.max_quota_per_alias).toBe(2 * 1024 * 1024);
    const plain = await h.call('POST', aliases, { token, json: { name: 'plain', has_imap: true } });
    expect(plain.body).toMatchObject({ max_quota: null, effective_max_quota: 2 * 1024 * 1024 });
  });

  test('only a server administrator may go above the server default', async () => {
    const created = await h.call('POST', '/v1/domains', { token: other, json: { name: 'else.example' } });
    expect(created.status).toBe(201);
    const above = await h.call('PUT', '/v1/domains/else.example', {
      token: other,
      json: { max_quota_per_alias: '20GB' },
    });
    expect(above.status).toBe(403);
    const below = await h.call('PUT', '/v1/domains/else.example', {
      token: other,
      json: { max_quota_per_alias: '1GB' },
    });
    expect(below.body.max_quota_per_alias).toBe(1024 ** 3);
    const admin = await h.call('PUT', `${aliases}/plain`, { token, json: { max_quota: '20GB' } });
    expect(admin.body.max_quota).toBe(20 * 1024 ** 3);
  });

  test('POST /v1/messages over the quota is a 422 OVERQUOTA; the usage shown follows the mailbox', async () => {
    const issued = await h.call('POST', `${aliases}/box/generate-password`, { token });
    const auth = {
      authorization: `Basic ${Buffer.from(`box@${DOMAIN}:${issued.body.password}`).toString('base64')}`,
      'content-type': 'message/rfc822',
    };
    const big = await h.call('POST', '/v1/messages?folder=INBOX', {
      headers: auth,
      body: message('big', 'x'.repeat(5000)),
    });
    expect(big.status).toBe(422);
    expect(big.body).toMatchObject({ code: 'OVERQUOTA' });
    const small = await h.call('POST', '/v1/messages?folder=INBOX', { headers: auth, body: message('small', 'fits') });
    expect(small.status).toBe(201);
    const shown = await waitFor(async () => {
      const res = await h.call('GET', `${aliases}/box`, { token });
      return res.body.message_count === 1 ? res.body : null;
    });
    expect(shown.storage_used).toBeGreaterThan(20);
    expect((await h.call('GET', `/v1/domains/${DOMAIN}`, { token })).body.storage_used).toBe(shown.storage_used);
    // The listing reads a page's quota fields in one call: the same fields as the alias's own GET.
    const listed = (await h.call('GET', aliases, { token })).body as { name: string }[];
    expect(listed.find((a) => a.name === 'box')).toEqual(shown);
  });
});
