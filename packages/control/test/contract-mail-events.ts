/**
 * Contract cases for the mail log (part of runControlStoreContract): events listed newest first for the asked
 * domains only, filtered by time and kind, paged, and pruned by age.
 */
import { describe, expect, test } from 'vitest';
import type { ControlStore } from '../src/types.js';

const DKIM = { selector: 'l1', publicKey: 'MIIBIjANBgkq', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nabc\n' };

export function runMailEventContract(current: () => ControlStore): void {
  describe('mail log', () => {
    test('per domain, newest first, filtered, paged, pruned by age', async () => {
      const store = current();
      const account = await store.createAccount({ email: 'o@log.example', password: 'a password!' });
      const mine = await store.createDomain({
        accountId: account.id,
        name: 'log.example',
        verificationToken: 'v',
        dkim: DKIM,
      });
      const theirs = await store.createDomain({
        accountId: account.id,
        name: 'log2.example',
        verificationToken: 'v',
        dkim: DKIM,
      });
      const old = new Date(Date.now() - 40 * 86_400_000);
      await store.recordMailEvents([
        {
          domainId: mine.id,
          direction: 'inbound',
          event: 'delivered',
          sender: 'a@x.example',
          recipient: 'me@log.example',
          at: old,
        },
        {
          domainId: mine.id,
          direction: 'inbound',
          event: 'rejected',
          sender: 'b@x.example',
          recipient: 'no@log.example',
          response: '550 5.1.1 unknown',
        },
        {
          domainId: mine.id,
          direction: 'outbound',
          event: 'deferred',
          sender: 'me@log.example',
          recipient: 'r@far.example',
          response: '451 later',
          messageId: 'q1',
        },
        {
          domainId: theirs.id,
          direction: 'outbound',
          event: 'bounced',
          sender: 'x@log2.example',
          recipient: 'r@far.example',
        },
      ]);
      const all = { domainIds: [mine.id], since: new Date(0), until: new Date(Date.now() + 1000), page: 1, limit: 10 };
      const page = await store.listMailEvents(all);
      expect(page.total).toBe(3);
      expect(page.items.map((e) => e.event)).toEqual(['deferred', 'rejected', 'delivered']);
      expect(page.items[0]).toMatchObject({ direction: 'outbound', response: '451 later', messageId: 'q1' });
      expect((await store.listMailEvents({ ...all, event: 'rejected' })).items.map((e) => e.recipient)).toEqual([
        'no@log.example',
      ]);
      expect((await store.listMailEvents({ ...all, since: new Date(Date.now() - 86_400_000) })).total).toBe(2);
      expect((await store.listMailEvents({ ...all, limit: 1, page: 2 })).items.map((e) => e.event)).toEqual([
        'rejected',
      ]);
      expect((await store.listMailEvents({ ...all, domainIds: [] })).total).toBe(0);
      expect(await store.pruneMailEvents(new Date(Date.now() - 30 * 86_400_000))).toBe(1);
      expect((await store.listMailEvents(all)).total).toBe(2);
    });
  });
}
