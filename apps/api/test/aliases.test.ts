import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

describe('aliases', () => {
  let h: Harness;
  let token: string;
  let other: string;
  const base = '/v1/domains/bücher.example/aliases';
  const url = encodeURI(base);

  beforeAll(async () => {
    h = await startHarness({ signupOpen: true });
    token = await h.signUp('owner@example.org');
    other = await h.signUp('other@example.org');
    // The first account is an administrator: it may add a domain verified, so routing finds its aliases.
    await h.call('POST', '/v1/domains', { token, json: { name: 'bücher.example', verified: true } });
    await h.call('POST', '/v1/domains', { token: other, json: { name: 'other.example' } });
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('creates, reads by name or id, updates and deletes', async () => {
    const created = await h.call('POST', url, {
      token,
      json: { name: 'Info', recipients: ['Team@Example.NET'], description: 'Front desk ☎' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'info',
      address: 'info@bücher.example',
      recipients: ['team@example.net'],
      has_imap: false,
      is_enabled: true,
      has_mailbox: false,
      description: 'Front desk ☎',
    });
    const byName = await h.call('GET', `${url}/INFO`, { token });
    const byId = await h.call('GET', `${url}/${created.body.id}`, { token });
    expect(byName.body).toEqual(created.body);
    expect(byId.body).toEqual(created.body);
    const put = await h.call('PUT', `${url}/info`, { token, json: { is_enabled: false, recipients: [] } });
    expect(put.body).toMatchObject({ is_enabled: false, recipients: [] });
    expect(await h.control.resolveRecipient('info@bücher.example')).toBeNull();
    expect((await h.call('DELETE', `${url}/info`, { token })).status).toBe(204);
    expect((await h.call('GET', `${url}/info`, { token })).status).toBe(404);
  });

  test('catch-all and subaddress resolution follow the aliases', async () => {
    const star = await h.call('POST', url, { token, json: { name: '*', recipients: ['all@example.net'] } });
    expect(star.status).toBe(201);
    expect((await h.call('GET', `${url}/*`, { token })).body.id).toBe(star.body.id);
    await h.call('POST', url, { token, json: { name: 'sales' } });
    expect((await h.control.resolveRecipient('sales+x@xn--bcher-kva.example'))?.alias.name).toBe('sales');
    expect((await h.control.resolveRecipient('nobody@bücher.example'))?.alias.name).toBe('*');
    const pw = await h.call('POST', `${url}/*/generate-password`, { token });
    expect(pw.status).toBe(400);
  });

  test('duplicates are 409, bad input 400 naming the field', async () => {
    await h.call('POST', url, { token, json: { name: 'dup' } });
    expect((await h.call('POST', url, { token, json: { name: 'DUP' } })).status).toBe(409);
    await h.call('POST', url, { token, json: { name: 'dup2' } });
    expect((await h.call('PUT', `${url}/dup2`, { token, json: { name: 'dup' } })).status).toBe(409);
    const cases: Array<[unknown, string]> = [
      [{ name: 'a b' }, 'name'],
      [{ name: 'a+b' }, 'name'],
      [{ name: 'jörg' }, 'name'],
      [{ name: 123 }, 'name'],
      [{ name: 'ok1', has_imap: 'yes' }, 'has_imap'],
      // One text of recipients is a list (Forward Email's shape): each item is checked.
      [{ name: 'ok2', recipients: 'x@example.net, not-an-address' }, 'recipients'],
      [{ name: 'ok3', recipients: ['not an address'] }, 'recipients'],
      [{ name: 'ok4', recipients: [7] }, 'recipients.0'],
      [{ name: 'ok5', colour: 'blue' }, 'body'],
      [{}, 'name'],
      [[], 'body'],
    ];
    for (const [json, field] of cases) {
      const res = await h.call('POST', url, { token, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.field, JSON.stringify(json)).toBe(field);
    }
  });

  test('pages 10 aliases with headers, sorts and filters by name', async () => {
    const base2 = '/v1/domains/other.example/aliases';
    for (let i = 0; i < 10; i++) {
      await h.call('POST', base2, { token: other, json: { name: `user${String(i).padStart(2, '0')}` } });
    }
    const page = await h.call('GET', `${base2}?limit=4&page=3`, { token: other });
    expect(page.body.map((a: { name: string }) => a.name)).toEqual(['user08', 'user09']);
    expect(page.headers.get('x-page-count')).toBe('3');
    expect(page.headers.get('x-item-count')).toBe('10');
    expect(page.headers.get('link')).toContain('rel="prev"');
    expect(page.headers.get('link')).not.toContain('rel="next"');
    const newest = await h.call('GET', `${base2}?sort=-created_at&limit=2`, { token: other });
    expect(newest.body.map((a: { name: string }) => a.name)).toEqual(['user09', 'user08']);
    const filtered = await h.call('GET', `${base2}?name=R0`, { token: other });
    expect(filtered.body).toHaveLength(10);
    const one = await h.call('GET', `${base2}?name=er05`, { token: other });
    expect(one.body.map((a: { name: string }) => a.name)).toEqual(['user05']);
    expect((await h.call('GET', `${base2}/user05`, { token })).status).toBe(404);
    expect((await h.call('DELETE', `${base2}/user05`, { token })).status).toBe(404);
  });

  test('generate-password creates the mailbox once, then needs the current password or recovery key', async () => {
    await h.call('POST', url, { token, json: { name: 'me' } });
    const first = await h.call('POST', `${url}/me/generate-password`, { token });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ address: 'me@bücher.example', username: 'me@xn--bcher-kva.example' });
    expect(first.body.password).toHaveLength(24);
    expect(typeof first.body.recovery_key).toBe('string');
    const alias = await h.control.findAlias((await h.control.findDomainByName('bücher.example'))?.id ?? '', 'me');
    const mailboxId = alias?.mailboxId ?? '';
    expect(h.mailstore.exists(mailboxId)).toBe(true);
    expect(await h.control.verifyMailboxPassword('me@bücher.example', first.body.password)).not.toBeNull();
    const session = await h.mailstore.open(mailboxId, first.body.password);
    session.close();
    expect((await h.call('GET', `${url}/me`, { token })).body).toMatchObject({ has_mailbox: true, has_imap: true });

    const again = await h.call('POST', `${url}/me/generate-password`, { token });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/current "password" or its "recovery_key"/);
    const wrong = await h.call('POST', `${url}/me/generate-password`, { token, json: { password: 'not it at all' } });
    expect(wrong.status).toBe(403);

    const changed = await h.call('POST', `${url}/me/generate-password`, {
      token,
      json: { password: first.body.password, new_password: 'my own new password' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ password: 'my own new password', mailbox_created: false });
    expect(changed.body.recovery_key).toBeUndefined();
    await expect(h.mailstore.open(mailboxId, first.body.password)).rejects.toThrow();
    (await h.mailstore.open(mailboxId, 'my own new password')).close();
    expect(await h.control.verifyMailboxPassword('me@bücher.example', first.body.password)).toBeNull();

    const reset = await h.call('POST', `${url}/me/generate-password`, {
      token,
      json: { recovery_key: first.body.recovery_key },
    });
    expect(reset.status).toBe(200);
    (await h.mailstore.open(mailboxId, reset.body.password)).close();
    expect(await h.control.verifyMailboxPassword('me@bücher.example', reset.body.password)).not.toBeNull();

    expect((await h.call('DELETE', `${url}/me`, { token })).status).toBe(204);
    expect(h.mailstore.exists(mailboxId)).toBe(false);
  });
});
