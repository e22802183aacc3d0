/**
 * Contract cases for per-domain spam settings and greylisting (part of runControlStoreContract).
 */
import { ValidationError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import type { ControlStore } from '../src/types.js';

const MINUTE = 60_000;

export function runSpamContract(current: () => ControlStore, domainId: () => Promise<string>): void {
  describe('spam settings', () => {
    test('defaults until set; a patch keeps what it does not name; lists are cleaned and replaced whole', async () => {
      const store = current();
      const id = await domainId();
      expect(await store.getSpamSettings(id)).toEqual({
        junkScore: null,
        rejectScore: null,
        greylisting: false,
        allow: [],
        block: [],
      });
      await store.updateSpamSettings(id, {
        junkScore: 4.5,
        allow: ['Friend@Example.COM', 'partner.test', 'partner.test'],
      });
      const updated = await store.updateSpamSettings(id, { greylisting: true, block: ['spammer.test'] });
      expect(updated).toEqual({
        junkScore: 4.5,
        rejectScore: null,
        greylisting: true,
        allow: ['friend@example.com', 'partner.test'],
        block: ['spammer.test'],
      });
      expect((await store.updateSpamSettings(id, { allow: [] })).allow).toEqual([]);
      expect(await store.getSpamSettings(id)).toMatchObject({ junkScore: 4.5, block: ['spammer.test'] });
    });

    test('refuses a bad entry, a score out of range and a reject threshold not above the junk one', async () => {
      const store = current();
      const id = await domainId();
      await expect(store.updateSpamSettings(id, { allow: ['not an entry'] })).rejects.toThrow(ValidationError);
      // A public suffix would name every domain under it; a domain registered under one is fine (below).
      await expect(store.updateSpamSettings(id, { block: ['co.uk'] })).rejects.toThrow(/'co.uk' is a public suffix/);
      await expect(store.updateSpamSettings(id, { allow: ['Com.AU'] })).rejects.toThrow(/'com.au' is a public suffix/);
      await expect(store.updateSpamSettings(id, { junkScore: -1 })).rejects.toThrow(ValidationError);
      await expect(store.updateSpamSettings(id, { junkScore: 8, rejectScore: 8 })).rejects.toThrow(/higher/);
      expect(await store.getSpamSettings(id)).toMatchObject({ junkScore: null, rejectScore: null, allow: [] });
      const kept = await store.updateSpamSettings(id, { block: ['example.co.uk', 'someone@co.uk', 'blogspot.com'] });
      expect(kept.block).toEqual(['blogspot.com', 'example.co.uk', 'someone@co.uk']);
      await store.updateSpamSettings(id, { block: [] });
    });
  });

  describe('greylisting', () => {
    test('the first attempt is deferred, a retry too early too, a retry after the delay passes', async () => {
      const store = current();
      const start = new Date('2026-01-01T00:00:00Z');
      const at = (ms: number) => new Date(start.getTime() + ms);
      const first = await store.greylist('192.0.2|a@x.test|b@y.test', 5 * MINUTE, 60 * MINUTE, start);
      expect(first).toEqual({ pass: false, retryAfter: at(5 * MINUTE) });
      expect((await store.greylist('192.0.2|a@x.test|b@y.test', 5 * MINUTE, 60 * MINUTE, at(MINUTE))).pass).toBe(false);
      expect((await store.greylist('192.0.2|a@x.test|b@y.test', 5 * MINUTE, 60 * MINUTE, at(6 * MINUTE))).pass).toBe(
        true,
      );
      expect((await store.greylist('192.0.2|a@x.test|c@y.test', 5 * MINUTE, 60 * MINUTE, at(6 * MINUTE))).pass).toBe(
        false,
      );
      // Forgotten after its expiry: deferred again.
      expect((await store.greylist('192.0.2|a@x.test|b@y.test', 5 * MINUTE, 60 * MINUTE, at(200 * MINUTE))).pass).toBe(
        false,
      );
    });
  });
}
