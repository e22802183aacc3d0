/**
 * Sieve scripts over the REST API: Forward Email's /v1/domains/:domain/aliases/:alias/sieve with an account token,
 * and /v1/sieve-scripts with the mailbox's own address and password. Every 2xx reply is checked against the
 * OpenAPI document by the harness. Bad input: syntax errors (400 with line and column), over-size scripts, bad
 * names, foreign aliases (404), wrong mailbox passwords (401, logged) and the failed-login gate (429).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness } from './harness.js';

const MAILBOX = 'sieve@sieve.example';
const FILTERS = 'require "fileinto";\nif header :contains "subject" "[list]" { fileinto "Lists"; }\n';
const VACATION = 'require "vacation";\nvacation :days 3 :subject "Away" "Back on Monday.";\n';

const mailboxAuth = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('Sieve scripts over the API', () => {
  let h: Harness;
  let token: string;
  let other: string;
  let password: string;
  const url = '/v1/domains/sieve.example/aliases/sieve/sieve';

  beforeAll(async () => {
    // Bodies up to 256 KiB, so an over-size script reaches the script check rather than the body limit.
    h = await startHarness({ signupOpen: true, bodyLimitBytes: 256 * 1024 });
    token = await h.signUp('owner@sieve.example');
    other = await h.signUp('other@else.example');
    await h.call('POST', '/v1/domains', { token, json: { name: 'sieve.example', verified: true } });
    await h.call('POST', '/v1/domains', { token: other, json: { name: 'else.example' } });
    await h.call('POST', '/v1/domains/sieve.example/aliases', { token, json: { name: 'sieve' } });
    const issued = await h.call('POST', '/v1/domains/sieve.example/aliases/sieve/generate-password', {
      token,
      json: {},
    });
    password = issued.body.password;
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('account token: create, list, get, update, activate, delete', async () => {
    const created = await h.call('POST', url, { token, json: { name: 'filters', content: FILTERS, is_active: true } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'filters', content: FILTERS, is_active: true, size: FILTERS.length });
    const vacation = await h.call('POST', url, { token, json: { name: 'vacation', content: VACATION } });
    expect(vacation.body.is_active).toBe(false);
    const list = await h.call('GET', url, { token });
    expect(list.body.map((s: { name: string; is_active: boolean }) => [s.name, s.is_active])).toEqual([
      ['filters', true],
      ['vacation', false],
    ]);
    expect((await h.call('GET', `${url}/${created.body.id}`, { token })).body).toEqual(created.body);
    expect((await h.call('GET', `${url}/vacation`, { token })).body.id).toBe(vacation.body.id);
    const activated = await h.call('POST', `${url}/${vacation.body.id}/activate`, { token });
    expect(activated.status).toBe(200);
    expect(activated.body.is_active).toBe(true);
    expect((await h.call('GET', `${url}/filters`, { token })).body.is_active).toBe(false);
    const alias = await h.control.findAlias((await h.control.findDomainByName('sieve.example'))?.id ?? '', 'sieve');
    expect((await h.control.getActiveSieveScript(alias?.id ?? ''))?.name).toBe('vacation');
    const renamed = await h.call('PUT', `${url}/filters`, { token, json: { name: 'rules', content: 'keep;\n' } });
    expect(renamed.body).toMatchObject({ id: created.body.id, name: 'rules', content: 'keep;\n' });
    expect((await h.call('DELETE', `${url}/${vacation.body.id}`, { token })).status).toBe(204);
    expect((await h.call('GET', `${url}/vacation`, { token })).status).toBe(404);
    expect(await h.control.getActiveSieveScript(alias?.id ?? '')).toBeNull();
    expect((await h.call('DELETE', `${url}/rules`, { token })).status).toBe(204);
    expect((await h.call('GET', url, { token })).body).toEqual([]);
  });

  test('a syntax error is a 400 whose message gives line and column; nothing is stored', async () => {
    const broken = 'require "fileinto";\nif true {\n  fileinto "A"\n}\n';
    const res = await h.call('POST', url, { token, json: { name: 'broken', content: broken } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('SIEVE_SYNTAX');
    expect(res.body.message).toMatch(/^line 4, column 1: /);
    const missingRequire = await h.call('POST', url, { token, json: { name: 'x', content: 'fileinto "A";\n' } });
    expect(missingRequire.status).toBe(400);
    expect(missingRequire.body.message).toMatch(/^line 1, column 1: .*fileinto/);
    await h.call('POST', url, { token, json: { name: 'ok', content: 'keep;\n' } });
    const update = await h.call('PUT', `${url}/ok`, { token, json: { content: 'if {' } });
    expect(update.status).toBe(400);
    expect(update.body.message).toMatch(/^line 1, column \d+: /);
    expect((await h.call('GET', `${url}/ok`, { token })).body.content).toBe('keep;\n');
    await h.call('DELETE', `${url}/ok`, { token });
  });

  test('bad names, over-size scripts, unknown fields, duplicates and foreign aliases are refused', async () => {
    expect((await h.call('POST', url, { token, json: { name: 'a\nb', content: 'keep;' } })).status).toBe(400);
    expect((await h.call('POST', url, { token, json: { name: 'n', content: 'keep;', extra: 1 } })).status).toBe(400);
    const big = `# ${'x'.repeat(65 * 1024)}\nkeep;\n`;
    const tooBig = await h.call('POST', url, { token, json: { name: 'big', content: big } });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.code).toBe('QUOTA/MAXSIZE');
    await h.call('POST', url, { token, json: { name: 'dup', content: 'keep;' } });
    expect((await h.call('POST', url, { token, json: { name: 'dup', content: 'keep;' } })).status).toBe(409);
    expect((await h.call('GET', url, { token: other })).status).toBe(404);
    expect((await h.call('GET', `${url}/dup`, { token: other })).status).toBe(404);
    expect((await h.call('GET', url)).status).toBe(401);
    await h.call('DELETE', `${url}/dup`, { token });
  });

  test('the mailbox manages its own scripts with its address and password', async () => {
    const auth = mailboxAuth(MAILBOX, password);
    const created = await h.call('POST', '/v1/sieve-scripts', {
      headers: auth,
      json: { name: 'mine', content: VACATION, is_active: true },
    });
    expect(created.status).toBe(201);
    expect((await h.call('GET', url, { token })).body.map((s: { name: string }) => s.name)).toEqual(['mine']);
    const list = await h.call('GET', '/v1/sieve-scripts', { headers: auth });
    expect(list.body).toEqual([created.body]);
    const updated = await h.call('PUT', '/v1/sieve-scripts/mine', { headers: auth, json: { is_active: false } });
    expect(updated.body.is_active).toBe(false);
    const activated = await h.call('POST', `/v1/sieve-scripts/${created.body.id}/activate`, { headers: auth });
    expect(activated.body.is_active).toBe(true);
    const bad = await h.call('POST', '/v1/sieve-scripts', { headers: auth, json: { name: 'b', content: 'stop' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^line 1, column \d+: /);
    expect((await h.call('DELETE', '/v1/sieve-scripts/mine', { headers: auth })).status).toBe(204);
    expect((await h.call('GET', '/v1/sieve-scripts/mine', { headers: auth })).status).toBe(404);
  });

  test('mailbox credentials: an API token, a wrong password or none is 401; repeated failures are 429', async () => {
    expect((await h.call('GET', '/v1/sieve-scripts')).status).toBe(401);
    expect((await h.call('GET', '/v1/sieve-scripts', { token })).status).toBe(401);
    const wrong = await h.call('GET', '/v1/sieve-scripts', { headers: mailboxAuth(MAILBOX, 'wrong password') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const unknown = await h.call('GET', '/v1/sieve-scripts', { headers: mailboxAuth('nobody@sieve.example', 'x') });
    expect(unknown.status).toBe(401);
    // The API's gate checks 10 failures per (address, client address) an hour; one was spent above.
    for (let i = 0; i < 9; i++) {
      const res = await h.call('GET', '/v1/sieve-scripts', { headers: mailboxAuth(MAILBOX, `guess ${i}`) });
      expect(res.status).toBe(401);
    }
    const gated = await h.call('GET', '/v1/sieve-scripts', { headers: mailboxAuth(MAILBOX, password) });
    expect(gated.status).toBe(429);
    expect(gated.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
