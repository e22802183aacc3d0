/**
 * Contract cases for Sieve marks (part of runControlStoreContract): vacation answers a sender once per period
 * (RFC 5230 §4.2) even when two deliveries race, and marks die at their expiry.
 */
import { describe, expect, test } from 'vitest';
import type { ControlStore } from '../src/types.js';

const DAY = 86_400_000;

export function runSieveMarkContract(current: () => ControlStore, openSecond: () => Promise<ControlStore>): void {
  describe('sieve marks', () => {
    test('a key is claimed once per owner until it expires; other owners and keys are apart', async () => {
      const store = current();
      const until = new Date(Date.now() + DAY);
      expect(await store.claimSieveMark('mbox-a', 'vacation:h:sam@example.com', until)).toBe(true);
      expect(await store.claimSieveMark('mbox-a', 'vacation:h:sam@example.com', until)).toBe(false);
      expect(await store.claimSieveMark('mbox-b', 'vacation:h:sam@example.com', until)).toBe(true);
      expect(await store.claimSieveMark('mbox-a', 'vacation:h:kim@example.com', until)).toBe(true);
      const seen = await store.sieveMarksSeen('mbox-a', ['vacation:h:sam@example.com', 'duplicate:x']);
      expect([...seen]).toEqual(['vacation:h:sam@example.com']);
    });

    test('an expired mark can be claimed again, and the sweep removes only expired marks', async () => {
      const store = current();
      expect(await store.claimSieveMark('mbox', 'old', new Date(Date.now() - 1))).toBe(true);
      expect(await store.sieveMarksSeen('mbox', ['old'])).toEqual(new Set());
      expect(await store.claimSieveMark('mbox', 'old', new Date(Date.now() + DAY))).toBe(true);
      expect(await store.claimSieveMark('mbox', 'gone', new Date(Date.now() - 1))).toBe(true);
      expect(await store.expireSieveMarks()).toBe(1);
      expect(await store.sieveMarksSeen('mbox', ['old'])).toEqual(new Set(['old']));
    });

    test('two stores (two processes) racing for one mark: exactly one wins', async () => {
      const second = await openSecond();
      try {
        const until = new Date(Date.now() + DAY);
        const results = await Promise.all([
          current().claimSieveMark('mbox', 'race', until),
          second.claimSieveMark('mbox', 'race', until),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await second.close();
      }
    });
  });
}
