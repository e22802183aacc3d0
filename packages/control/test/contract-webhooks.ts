/**
 * Contract cases for webhooks (part of runControlStoreContract): a domain's signing secret is made once and kept
 * until rotated, and the webhook queue leases each item to one worker, keeps it until delivered or given up, and
 * drops its body when done.
 */
import { ConflictError, NotFoundError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import type { ControlStore } from '../src/types.js';

const DKIM = { selector: 'w1', publicKey: 'MIIBIjANBgkq', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nabc\n' };

async function domainOf(store: ControlStore, name: string): Promise<string> {
  const account = await store.createAccount({ email: `owner@${name}`, password: 'a password!' });
  const domain = await store.createDomain({ accountId: account.id, name, verificationToken: 'v', dkim: DKIM });
  return domain.id;
}

export function runWebhookContract(current: () => ControlStore, openSecond: () => Promise<ControlStore>): void {
  describe('webhooks', () => {
    test('a secret per domain: made once, the same for a second process, replaced by rotate', async () => {
      const store = current();
      const a = await domainOf(store, 'hooks-a.example');
      const b = await domainOf(store, 'hooks-b.example');
      const secret = await store.webhookSecret(a);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const second = await openSecond();
      try {
        expect(await second.webhookSecret(a)).toBe(secret);
      } finally {
        await second.close();
      }
      expect(await store.webhookSecret(b)).not.toBe(secret);
      const rotated = await store.rotateWebhookSecret(a);
      expect(rotated).not.toBe(secret);
      expect(await store.webhookSecret(a)).toBe(rotated);
      await expect(store.webhookSecret('no-such-domain')).rejects.toBeInstanceOf(NotFoundError);
    });

    test('queued webhooks are leased to one worker, retried, delivered or failed, bodies dropped when done', async () => {
      const store = current();
      const domainId = await domainOf(store, 'hooks-q.example');
      const body = Buffer.from('{"hello":"world"}');
      const queued = await store.enqueueWebhook({ domainId, url: 'https://hooks.example/in', body });
      expect(queued).toMatchObject({ state: 'queued', attempts: 0, url: 'https://hooks.example/in' });
      const now = new Date();
      const [w1, w2] = await Promise.all([
        store.claimDueWebhooks('w1', now, 10, 1000),
        store.claimDueWebhooks('w2', now, 10, 1000),
      ]);
      const claimed = [...w1, ...w2];
      expect(claimed).toHaveLength(1);
      expect(claimed[0]?.body.equals(body)).toBe(true);
      const holder = w1.length === 1 ? 'w1' : 'w2';
      await expect(
        store.recordWebhookAttempt(queued.id, holder === 'w1' ? 'w2' : 'w1', { outcome: 'delivered' }),
      ).rejects.toBeInstanceOf(ConflictError);
      const later = new Date(now.getTime() + 60_000);
      const retried = await store.recordWebhookAttempt(queued.id, holder, {
        outcome: 'retry',
        nextAttemptAt: later,
        error: 'HTTP 500',
      });
      expect(retried).toMatchObject({ state: 'queued', attempts: 1, lastError: 'HTTP 500' });
      expect(await store.claimDueWebhooks('w1', now, 10)).toEqual([]);
      const [again] = await store.claimDueWebhooks('w1', later, 10);
      expect(again?.body.equals(body)).toBe(true);
      await store.recordWebhookAttempt(queued.id, 'w1', { outcome: 'delivered' });
      expect(await store.getWebhook(queued.id)).toMatchObject({ state: 'delivered', attempts: 2 });
      expect(await store.claimDueWebhooks('w1', new Date(later.getTime() + 1), 10)).toEqual([]);
      const refused = await store.enqueueWebhook({ domainId, url: 'https://10.0.0.1/', body });
      await store.claimDueWebhooks('w1', new Date(), 10);
      await store.recordWebhookAttempt(refused.id, 'w1', { outcome: 'failed', error: 'private address' });
      expect((await store.listWebhooks(domainId, 10)).map((w) => w.state)).toEqual(['failed', 'delivered']);
    });

    test('event webhooks are kept per domain, events without repeats, deleted only through their domain', async () => {
      const store = current();
      const a = await domainOf(store, 'events-a.example');
      const b = await domainOf(store, 'events-b.example');
      const hook = await store.createEventWebhook(a, {
        url: 'https://hooks.example/events',
        events: ['bounced', 'deferred', 'bounced'],
      });
      expect(hook).toMatchObject({ domainId: a, url: 'https://hooks.example/events', events: ['bounced', 'deferred'] });
      await store.createEventWebhook(a, { url: 'https://hooks.example/all', events: ['delivered'] });
      expect((await store.listEventWebhooks(a)).map((w) => w.url)).toEqual([
        'https://hooks.example/events',
        'https://hooks.example/all',
      ]);
      expect(await store.listEventWebhooks(b)).toEqual([]);
      expect(await store.deleteEventWebhook(b, hook.id)).toBe(false);
      expect(await store.deleteEventWebhook(a, hook.id)).toBe(true);
      expect((await store.listEventWebhooks(a)).map((w) => w.url)).toEqual(['https://hooks.example/all']);
    });
  });
}
