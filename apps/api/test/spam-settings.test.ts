/**
 * Per-domain spam filter settings over the REST API: read with the server defaults in `effective`, change part
 * of them, see them per alias. Every 2xx reply is checked against the OpenAPI document by the harness. Bad input:
 * a score out of range, a reject threshold not above the junk one, a bad list entry and unknown fields are 400
 * and change nothing; a foreign domain or unknown alias is 404.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('spam settings over the API', () => {
  let h: Harness;
  let token: string;
  let other: string;
  const url = '/v1/domains/spam.example/spam-settings';

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    token = await h.signUp('owner@spam.example');
    other = await h.signUp('other@else.example');
    await h.call('POST', '/v1/domains', { token, json: { name: 'spam.example', verified: true } });
    await h.call('POST', '/v1/domains/spam.example/aliases', { token, json: { name: 'alice' } });
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('defaults, a partial update, and the view per alias', async () => {
    const initial = await h.call('GET', url, { token });
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({
      domain: 'spam.example',
      junk_score: null,
      reject_score: null,
      greylisting: false,
      allow: [],
      block: [],
      effective: { junk_score: 5, reject_score: 15 },
    });
    const updated = await h.call('PUT', url, {
      token,
      json: { junk_score: 4, greylisting: true, allow: ['Friend@Partner.example', 'partner.example'] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      junk_score: 4,
      reject_score: null,
      greylisting: true,
      allow: ['friend@partner.example', 'partner.example'],
      effective: { junk_score: 4, reject_score: 15 },
    });
    const blocked = await h.call('PUT', url, { token, json: { block: ['spammer.example'], reject_score: 9 } });
    expect(blocked.body).toMatchObject({ junk_score: 4, reject_score: 9, block: ['spammer.example'] });
    expect(blocked.body.allow).toHaveLength(2);
    const perAlias = await h.call('GET', '/v1/domains/spam.example/aliases/alice/spam-settings', { token });
    expect(perAlias.status).toBe(200);
    expect(perAlias.body).toEqual({ ...blocked.body, alias: 'alice@spam.example' });
    const domain = await h.control.findDomainByName('spam.example');
    expect(await h.control.getSpamSettings(domain?.id ?? '')).toMatchObject({ junkScore: 4, rejectScore: 9 });
  });

  test('bad input is a 400 that names the problem and changes nothing', async () => {
    const before = (await h.call('GET', url, { token })).body;
    const cases = [
      [{ junk_score: -1 }, /junk_score/],
      [{ junk_score: 12, reject_score: 12 }, /higher than junkScore/],
      [{ allow: ['not an address'] }, /neither an address nor a domain/],
      [{ block: ['co.uk'] }, /'co.uk' is a public suffix/],
      [{ greylisting: 'yes' }, /greylisting/],
      [{ threshold: 3 }, /threshold/],
    ] as const;
    for (const [json, message] of cases) {
      const res = await h.call('PUT', url, { token, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect((await h.call('GET', url, { token })).body).toEqual(before);
  });

  test("another account's domain and an unknown alias are 404", async () => {
    expect((await h.call('GET', url, { token: other })).status).toBe(404);
    expect((await h.call('PUT', url, { token: other, json: { greylisting: false } })).status).toBe(404);
    const unknown = await h.call('GET', '/v1/domains/spam.example/aliases/nobody/spam-settings', { token });
    expect(unknown.status).toBe(404);
  });
});
