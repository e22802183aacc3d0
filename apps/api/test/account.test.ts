import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('accounts and sign-up', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('the first account becomes administrator; then sign-up is closed unless an admin asks', async () => {
    const first = await h.call('POST', '/v1/account', {
      json: { email: 'Admin@Example.org', password: 'long enough pw' },
    });
    expect(first.status).toBe(201);
    expect(first.body.account).toMatchObject({ email: 'admin@example.org', is_admin: true });
    expect(first.body.token.secret).toMatch(/^myd_/);
    const admin = first.body.token.secret as string;

    const closed = await h.call('POST', '/v1/account', {
      json: { email: 'x@example.org', password: 'long enough pw' },
    });
    expect(closed.status).toBe(403);
    expect(closed.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(closed.body.message).toMatch(/sign-up is closed/);

    const byAdmin = await h.call('POST', '/v1/account', {
      token: admin,
      json: { email: 'user@example.org', password: 'long enough pw' },
    });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.account.is_admin).toBe(false);
    const user = byAdmin.body.token.secret as string;

    const byUser = await h.call('POST', '/v1/account', {
      token: user,
      json: { email: 'friend@example.org', password: 'long enough pw' },
    });
    expect(byUser.status).toBe(403);
    const adminByAdmin = await h.call('POST', '/v1/account', {
      token: admin,
      json: { email: 'second-admin@example.org', password: 'long enough pw', is_admin: true },
    });
    expect(adminByAdmin.body.account.is_admin).toBe(true);

    const me = await h.call('GET', '/v1/account', { token: user });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'user@example.org', is_admin: false });
    expect(me.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const duplicate = await h.call('POST', '/v1/account', {
      token: admin,
      json: { email: 'USER@example.org', password: 'long enough pw' },
    });
    expect(duplicate.status).toBe(409);
  });

  test('rejects bad sign-up input naming the field', async () => {
    const admin = (await h.control.countAccounts()) > 0;
    expect(admin).toBe(true);
    const short = await h.call('POST', '/v1/account', { json: { email: 'a@example.org', password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.field).toBe('password');
    const email = await h.call('POST', '/v1/account', { json: { email: 42, password: 'long enough pw' } });
    expect(email.status).toBe(400);
    expect(email.body.message).toMatch(/^email/);
  });
});

describe('open sign-up', () => {
  test('api.signupOpen lets anyone create a non-admin account', async () => {
    const h = await startHarness({ signupOpen: true });
    try {
      await h.signUp('first@example.org');
      const res = await h.call('POST', '/v1/account', { json: { email: 'b@example.org', password: 'long enough pw' } });
      expect(res.status).toBe(201);
      expect(res.body.account.is_admin).toBe(false);
      const sneaky = await h.call('POST', '/v1/account', {
        json: { email: 'c@example.org', password: 'long enough pw', is_admin: true },
      });
      expect(sneaky.status).toBe(403);
    } finally {
      await h.close();
    }
  });
});

describe('authentication and tokens', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness();
    token = await h.signUp('owner@example.org');
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test.each([
    ['no header', {}],
    ['unknown token', { authorization: `Basic ${Buffer.from('myd_nope:').toString('base64')}` }],
    ['empty user name', { authorization: `Basic ${Buffer.from(':pw').toString('base64')}` }],
    ['bearer scheme', { authorization: 'Bearer abc' }],
    ['garbage', { authorization: 'Basic !!!' }],
  ])('401 with a Basic challenge for %s', async (_name, headers) => {
    const res = await h.call('GET', '/v1/account', { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="mailyard"/);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  test('creates, lists without secrets, and revokes tokens', async () => {
    const created = await h.call('POST', '/v1/tokens', { token, json: { name: 'ci' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'ci', revoked_at: null });
    const ci = created.body.secret as string;
    expect((await h.call('GET', '/v1/account', { token: ci })).status).toBe(200);

    const listed = await h.call('GET', '/v1/tokens', { token });
    expect(listed.body.map((t: { name: string }) => t.name)).toEqual(['initial', 'ci']);
    expect(JSON.stringify(listed.body)).not.toContain(ci);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body[0].last_used_at).not.toBeNull();

    const revoked = await h.call('DELETE', `/v1/tokens/${created.body.id}`, { token });
    expect(revoked.status).toBe(204);
    expect((await h.call('GET', '/v1/account', { token: ci })).status).toBe(401);
    expect((await h.call('DELETE', `/v1/tokens/${created.body.id}`, { token })).status).toBe(404);
    const defaults = await h.call('POST', '/v1/tokens', { token });
    expect(defaults.body.name).toBe('api');
  });

  test("cannot see or revoke another account's tokens", async () => {
    const other = await h.call('POST', '/v1/account', {
      token,
      json: { email: 'other@example.org', password: 'long enough pw' },
    });
    const otherToken = other.body.token.secret as string;
    const [mine] = (await h.call('GET', '/v1/tokens', { token })).body;
    expect((await h.call('DELETE', `/v1/tokens/${mine.id}`, { token: otherToken })).status).toBe(404);
    expect((await h.call('GET', '/v1/account', { token })).status).toBe(200);
    const theirs = await h.call('GET', '/v1/tokens', { token: otherToken });
    expect(theirs.body).toHaveLength(1);
  });
});
