// Mailbox password changes over real HTTP: the current password or recovery key is a password check, so it goes
// through the shared LoginGate like every login (exactly 10 wrong tries per mailbox and client address per hour).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_PASSWORD_GATE } from '../src/app.js';
import { type Harness, startHarness } from './harness.js';

describe('generate-password with the current password or recovery key', () => {
  let h: Harness;
  let token: string;
  const url = '/v1/domains/gate.example/aliases/box/generate-password';
  beforeAll(async () => {
    h = await startHarness();
    token = await h.signUp('owner@example.org');
    await h.call('POST', '/v1/domains', { token, json: { name: 'gate.example' } });
    await h.call('POST', '/v1/domains/gate.example/aliases', { token, json: { name: 'box', has_imap: true } });
  });
  afterAll(async () => {
    expect(h.errors).toEqual([]);
    await h.close();
  });

  test('refuses further tries once the wrong ones reach the limit, even with the right password', async () => {
    const created = await h.call('POST', url, { token });
    expect(created.status).toBe(201);
    const right = created.body.password as string;
    const change = (json: Record<string, string>) => h.call('POST', url, { token, json });
    for (let i = 0; i < DEFAULT_PASSWORD_GATE.perUserIp; i++) {
      const wrong: Record<string, string> = i % 2 ? { password: `wrong ${i}` } : { recovery_key: `wrong ${i}` };
      expect((await change(wrong)).status, `try ${i + 1}`).toBe(403);
    }
    const limited = await change({ password: right, new_password: 'a new password' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(await h.control.verifyMailboxPassword('box@gate.example', right)).not.toBeNull();
  });
});
