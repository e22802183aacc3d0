/**
 * Contract cases for messages sent through the REST API (part of runControlStoreContract): scoped to their account
 * like every other resource, and a queued message can be withdrawn only while no worker holds it.
 */
import { describe, expect, test } from 'vitest';
import type { ControlStore, NewSentEmail } from '../src/types.js';

function sent(accountId: string, over: Partial<NewSentEmail> = {}): NewSentEmail {
  return {
    accountId,
    aliasId: null,
    sender: 'me@example.com',
    domain: 'example.com',
    messageId: 'abc@example.com',
    subject: 'Hello',
    size: 120,
    localRecipients: ['you@example.com'],
    queueId: null,
    ...over,
  };
}

export function runSentEmailContract(current: () => ControlStore): void {
  describe('sent emails', () => {
    test('are listed newest first and found only by their own account', async () => {
      const store = current();
      const a = await store.createAccount({ email: 'a@owner.test', password: 'a password!' });
      const b = await store.createAccount({ email: 'b@owner.test', password: 'b password!' });
      const hourAgo = new Date(Date.now() - 3_600_000);
      const first = await store.recordSentEmail(sent(a.id, { createdAt: hourAgo }));
      const second = await store.recordSentEmail(
        sent(a.id, { sender: 'other@example.com', queueId: 'q1', aliasId: 'alias-1' }),
      );
      await store.recordSentEmail(sent(b.id, { sender: 'x@b.example', domain: 'b.example' }));
      const page = await store.listSentEmails(a.id, 1, 10);
      expect(page.total).toBe(2);
      expect(page.items.map((e) => e.id)).toEqual([second.id, first.id]);
      expect((await store.listSentEmails(a.id, 1, 10, 'alias-1')).items.map((e) => e.id)).toEqual([second.id]);
      expect(second).toMatchObject({ queueId: 'q1', localRecipients: ['you@example.com'], subject: 'Hello' });
      expect(await store.getSentEmail(a.id, first.id)).toEqual(first);
      expect(await store.getSentEmail(b.id, first.id)).toBeNull();
    });

    test('a queued item is cancelled unless a worker holds it or it is done', async () => {
      const store = current();
      const body = Buffer.from('Subject: x\r\n\r\nx\r\n');
      const free = await store.enqueue({ envelopeFrom: 'a@example.com', recipients: ['x@r.example'], body });
      expect(await store.cancelQueued(free.id)).toBe('cancelled');
      const after = await store.getQueueItem(free.id);
      expect(after).toMatchObject({ state: 'cancelled', recipients: [{ address: 'x@r.example', status: 'failed' }] });
      expect(await store.claimDue('w', new Date(), 10)).toEqual([]);
      expect(await store.cancelQueued(free.id)).toBe('final');
      const held = await store.enqueue({ envelopeFrom: 'a@example.com', recipients: ['y@r.example'], body });
      await store.claimDue('w', new Date(), 10, 60_000);
      expect(await store.cancelQueued(held.id)).toBe('busy');
      expect(await store.cancelQueued('no-such-id')).toBe('unknown');
      expect(await store.getQueueItem('no-such-id')).toBeNull();
    });
  });
}
