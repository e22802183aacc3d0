import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

describe('dashboard security', () => {
  let h: Harness;
  let alice: WebClient;
  let bob: WebClient;

  beforeAll(async () => {
    h = await startHarness({ config: { api: { signupOpen: true } }, loginLimits: { perIp: 1000, perEmailIp: 5 } });
    alice = await new WebClient(h.base).signUp('alice@example.org');
    bob = await new WebClient(h.base).signUp('bob@example.org');
    expect((await bob.post('/domains', { name: 'bob.example', description: 'Bob' })).status).toBe(303);
    expect((await bob.post('/domains/bob.example/aliases', { name: 'info', has_imap: 'on' })).status).toBe(303);
    expect((await bob.post('/tokens', { name: 'bob script' })).status).toBe(201);
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('pages carry a strict CSP and the other security headers; the cookie is HttpOnly and SameSite', async () => {
    const client = new WebClient(h.base);
    const page = await client.get('/login');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const cookie = page.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^mailyard=[A-Za-z0-9_-]{43};/);
    expect(cookie.toLowerCase()).toContain('httponly');
    expect(cookie.toLowerCase()).toContain('samesite=lax');
    expect(cookie.toLowerCase()).not.toContain('secure');
    expect(page.text).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
  });

  test('a form post without the CSRF token, or with another session’s token, is refused', async () => {
    const missing = await alice.post('/domains', { _csrf: null, name: 'nocsrf.example' });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('This form has expired or was sent from another site');
    const foreign = await alice.post('/domains', { _csrf: bob.csrf, name: 'foreign-token.example' });
    expect(foreign.status).toBe(403);
    const forged = await alice.post('/domains', { _csrf: `${alice.csrf.slice(0, -2)}xx`, name: 'forged.example' });
    expect(forged.status).toBe(403);
    for (const name of ['nocsrf.example', 'foreign-token.example', 'forged.example']) {
      expect(await h.control.findDomainByName(name)).toBeNull();
    }
    const anonymous = await new WebClient(h.base).post('/login', { email: 'alice@example.org', password: 'x' });
    expect(anonymous.status).toBe(403);
  });

  test("one account cannot see or change another's domains, aliases or tokens by editing URLs", async () => {
    const bobDomain = await h.control.findDomainByName('bob.example');
    const bobToken = (await h.control.listTokens((await h.control.findAccountByEmail('bob@example.org'))?.id ?? ''))[0];
    for (const path of [
      '/domains/bob.example',
      `/domains/${bobDomain?.id}`,
      '/domains/bob.example/aliases',
      '/domains/bob.example/aliases/info',
      '/domains/bob.example/delete',
    ]) {
      const page = await alice.get(path);
      expect(page.status, path).toBe(404);
      expect(page.text).toContain('domain not found');
    }
    const posts: Array<[string, Record<string, string>]> = [
      ['/domains/bob.example', { description: 'pwned', dmarc_policy: 'none' }],
      ['/domains/bob.example/delete', {}],
      ['/domains/bob.example/verify', {}],
      ['/domains/bob.example/aliases', { name: 'evil' }],
      ['/domains/bob.example/aliases/info', { recipients: 'evil@attacker.example' }],
      ['/domains/bob.example/aliases/info/password', {}],
      ['/domains/bob.example/aliases/info/delete', {}],
    ];
    for (const [path, fields] of posts) expect((await alice.post(path, fields)).status, path).toBe(404);
    expect((await alice.post(`/tokens/${bobToken?.id}/revoke`)).status).toBe(404);
    const after = await h.control.findDomainByName('bob.example');
    expect(after?.description).toBe('Bob');
    const info = after ? await h.control.findAlias(after.id, 'info') : null;
    expect(info).toMatchObject({ recipients: [], mailboxId: null });
    expect(after ? await h.control.findAlias(after.id, 'evil') : 'no domain').toBeNull();
    expect(bobToken?.name).toBe('bob script');
    expect(bobToken?.revokedAt).toBeNull();
  });

  test('script in a domain description, alias description or alias name is shown escaped', async () => {
    const script = '<script>alert("xss")</script>';
    expect((await alice.post('/domains', { name: 'xss.example', description: script })).status).toBe(303);
    const domainPage = await alice.get('/domains/xss.example');
    expect(domainPage.text).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
    expect(domainPage.text).not.toContain(script);
    const list = await alice.get('/domains');
    expect(list.text).not.toContain(script);

    const img = '"><img src=x onerror=alert(1)>';
    expect((await alice.post('/domains/xss.example/aliases', { name: 'ok', description: img })).status).toBe(303);
    const aliasPage = await alice.get('/domains/xss.example/aliases/ok');
    expect(aliasPage.text).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(aliasPage.text).not.toContain('<img');

    const badName = await alice.post('/domains/xss.example/aliases', { name: script });
    expect(badName.status).toBe(400);
    expect(badName.text).toContain('invalid alias name: &lt;script&gt;');
    expect(badName.text).not.toContain(script);
    const odd = "o'neil&{x}";
    expect((await alice.post('/domains/xss.example/aliases', { name: odd })).status).toBe(303);
    const aliases = await alice.get('/domains/xss.example/aliases');
    expect(aliases.text).toContain('o&#39;neil&amp;{x}@xss.example');
  });

  test('failed logins are limited per email and address, with a clear message and Retry-After', async () => {
    const client = new WebClient(h.base);
    await client.get('/login');
    for (let i = 0; i < 5; i++) {
      const wrong = await client.post('/login', { email: 'carol@example.org', password: `guess ${i}` });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Wrong email or password.');
    }
    const limited = await client.post('/login', { email: 'carol@example.org', password: 'guess 4' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('Too many attempts');
    expect(h.logs.some((line) => line.msg === 'authentication failed' && line.user === 'carol@example.org')).toBe(true);
  });

  test('login rotates the session id; logout and a password change end sessions', async () => {
    await new WebClient(h.base).signUp('dave@example.org');
    const client = new WebClient(h.base);
    await client.get('/login');
    const anonymousCookie = client.cookie;
    const login = await client.login('dave@example.org');
    expect(login.status).toBe(303);
    expect(client.cookie).not.toBe(anonymousCookie);
    expect((await client.get('/domains')).status).toBe(200);

    const stolen = new WebClient(h.base);
    stolen.cookie = client.cookie;
    expect((await stolen.get('/domains')).status).toBe(200);
    const changed = await client.post('/account/password', {
      current: 'long enough pw',
      password: 'a new passphrase',
      confirm: 'a new passphrase',
    });
    expect(changed.status).toBe(303);
    const old = await stolen.get('/domains');
    expect(old.status).toBe(303);
    expect(old.location).toBe('/login?next=%2Fdomains');
    expect((await client.get('/account')).text).toContain('Password changed');

    const wrongCurrent = await client.post('/account/password', {
      current: 'nope',
      password: 'x'.repeat(9),
      confirm: 'x'.repeat(9),
    });
    expect(wrongCurrent.status).toBe(400);
    expect(wrongCurrent.text).toContain('The current password is wrong.');
    await client.post('/logout');
    expect((await client.get('/domains')).status).toBe(303);
    expect((await new WebClient(h.base).login('dave@example.org', 'a new passphrase')).status).toBe(303);
  });

  test('the outbound log shows members only their own domains’ messages, with recipient status', async () => {
    const own = await h.control.enqueue({
      envelopeFrom: 'info@bob.example',
      recipients: ['friend@remote.example', 'other@remote.example'],
      body: Buffer.from('Subject: hi\r\n\r\nhi\r\n'),
    });
    await h.control.enqueue({
      envelopeFrom: 'x@xss.example',
      recipients: ['y@remote.example'],
      body: Buffer.from('x'),
    });
    const page = await bob.get('/outbound');
    expect(page.text).toContain('friend@remote.example');
    expect(page.text).toContain('status-pending');
    expect(page.text).not.toContain('y@remote.example');
    expect((await bob.get(`/outbound/${own.id}`)).status).toBe(200);
    const erin = await new WebClient(h.base).signUp('erin@example.org');
    expect((await erin.get('/outbound')).text).not.toContain('friend@remote.example');
    expect((await erin.get(`/outbound/${own.id}`)).status).toBe(404);
    // The first account administers the server and sees every message.
    expect((await alice.get(`/outbound/${own.id}`)).status).toBe(200);
  });

  test('unknown pages and bad forms answer with a readable page', async () => {
    const missing = await alice.get('/no/such/page');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('There is no page at this address.');
    const badDomain = await alice.post('/domains', { name: 'not a domain' });
    expect(badDomain.status).toBe(400);
    expect(badDomain.text).toContain('is not a valid domain name');
    expect(badDomain.text).toContain('value="not a domain"');
  });
});

describe('sign-up rules', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  test('the first account is always allowed and becomes administrator; then sign-up is closed', async () => {
    await new WebClient(h.base).signUp('first@example.org');
    expect((await h.control.findAccountByEmail('first@example.org'))?.isAdmin).toBe(true);
    const second = new WebClient(h.base);
    const closed = await second.get('/signup');
    expect(closed.status).toBe(403);
    expect(closed.text).toContain('Sign-up is closed');
    await second.get('/login');
    const post = await second.post('/signup', {
      email: 'second@example.org',
      password: 'long enough pw',
      confirm: 'long enough pw',
    });
    expect(post.status).toBe(400);
    expect(await h.control.findAccountByEmail('second@example.org')).toBeNull();
    const mismatch = await new WebClient(h.base).post('/signup', { email: 'x@example.org' });
    expect(mismatch.status).toBe(403);
  });
});
