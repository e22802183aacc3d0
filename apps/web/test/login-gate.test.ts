// The dashboard's failed-login gate over real HTTP, with the CSRF flow (issue 12 item 11): failures count per
// client address and per (email, address), never per email alone, so a guesser cannot lock the owner out.
// Client addresses come from X-Forwarded-For (api.trustProxy on), as behind the reverse proxy of a real install.
import { MemoryLoginFailureStore } from '@mailyard/limits';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, startHarness, WebClient } from './harness.js';

const PER_IP = 6;
const PER_EMAIL_IP = 3;

describe('dashboard login gate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: { api: { signupOpen: true, trustProxy: true } },
      loginLimits: { perIp: PER_IP, perEmailIp: PER_EMAIL_IP },
    });
    await new WebClient(h.base, '192.0.2.1').signUp('victim@example.org', 'victim password');
    await new WebClient(h.base, '192.0.2.1').signUp('other@example.org', 'other password');
  });
  afterAll(async () => {
    expect(h.codeBugs()).toEqual([]);
    await h.close();
  });

  async function tryLogin(ip: string, email: string, password: string) {
    const client = new WebClient(h.base, ip);
    await client.get('/login');
    return (await client.post('/login', { email, password })).status;
  }

  test("a guesser's failures never block the owner's correct password from a clean address", async () => {
    const attacker = '198.51.100.7';
    for (let i = 0; i < PER_EMAIL_IP; i++)
      expect(await tryLogin(attacker, 'victim@example.org', `guess ${i}`)).toBe(401);
    expect(await tryLogin(attacker, 'victim@example.org', 'guess again')).toBe(429);
    // The guesser is refused even with the right password: the pair is blocked before the password is checked.
    expect(await tryLogin(attacker, 'victim@example.org', 'victim password')).toBe(429);
    // From that address, other accounts can still be tried until the address limit.
    expect(await tryLogin(attacker, 'other@example.org', 'other password')).toBe(303);

    expect(await tryLogin('203.0.113.9', 'victim@example.org', 'victim password')).toBe(303);
    expect(await tryLogin('203.0.113.10', 'victim@example.org', 'a typo')).toBe(401);
  });

  test('an address gets exactly perIp failed attempts checked; the next is refused whatever the email', async () => {
    const attacker = '198.51.100.8';
    for (let i = 0; i < PER_IP; i++) {
      expect(await tryLogin(attacker, `nobody${i}@example.org`, 'guess'), `attempt ${i + 1}`).toBe(401);
    }
    const refused = new WebClient(h.base, attacker);
    await refused.get('/login');
    const page = await refused.post('/login', { email: 'other@example.org', password: 'other password' });
    expect(page.status).toBe(429);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(page.text).toContain('Too many attempts');
    expect(await tryLogin('198.51.100.9', 'other@example.org', 'other password')).toBe(303);
  });

  test('logins fired at once from one address still get exactly perEmailIp password checks', async () => {
    const clients = Array.from({ length: 10 }, () => new WebClient(h.base, '198.51.100.50'));
    for (const client of clients) await client.get('/login');
    const statuses = await Promise.all(
      clients.map(
        async (client) => (await client.post('/login', { email: 'victim@example.org', password: 'x' })).status,
      ),
    );
    expect(statuses.filter((status) => status === 401)).toHaveLength(PER_EMAIL_IP);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10 - PER_EMAIL_IP);
  });

  test('correct logins are never counted', async () => {
    for (let i = 0; i < PER_IP + PER_EMAIL_IP + 2; i++) {
      expect(await tryLogin('198.51.100.20', 'other@example.org', 'other password')).toBe(303);
    }
  });

  test('a wrong current password on the password form counts as a failed login for that email and address', async () => {
    const client = new WebClient(h.base, '198.51.100.30');
    expect((await client.login('other@example.org', 'other password')).status).toBe(303);
    await client.get('/account');
    for (let i = 0; i < PER_EMAIL_IP; i++) {
      const form = { current: `wrong ${i}`, password: 'new password 1', confirm: 'new password 1' };
      expect((await client.post('/account/password', form)).status).toBe(400);
    }
    const form = { current: 'other password', password: 'new password 1', confirm: 'new password 1' };
    expect((await client.post('/account/password', form)).status).toBe(429);
    expect(await tryLogin('198.51.100.31', 'other@example.org', 'other password')).toBe(303);
  });
});

test('dashboard instances given one failure store count failures together', async () => {
  const loginFailures = new MemoryLoginFailureStore();
  const config = { api: { trustProxy: true } };
  const limits = { perIp: 100, perEmailIp: 2 };
  const first = await startHarness({ config, loginLimits: limits, loginFailures });
  const second = await startHarness({ config, loginLimits: limits, loginFailures });
  try {
    const attempt = async (h: Harness) => {
      const client = new WebClient(h.base, '198.51.100.40');
      await client.get('/login');
      return (await client.post('/login', { email: 'someone@example.org', password: 'guess' })).status;
    };
    expect(await attempt(first)).toBe(401);
    expect(await attempt(second)).toBe(401);
    expect(await attempt(first)).toBe(429);
    expect(await attempt(second)).toBe(429);
  } finally {
    await first.close();
    await second.close();
  }
});
