import { QuotaExceededError } from '@mailyard/errors';
import { waitFor } from '@mailyard/testkit';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import type { MailboxUsageReport, QuotaLimit, QuotaSource } from './types.js';

/** A quota source as the control store is one: limits per mailbox, the last usage reported. */
function memorySource(): QuotaSource & { set: Map<string, QuotaLimit>; reported: Map<string, MailboxUsageReport> } {
  const set = new Map<string, QuotaLimit>();
  const reported = new Map<string, MailboxUsageReport>();
  return {
    set,
    reported,
    limits: async (id) => set.get(id) ?? null,
    report: async (id, usage) => {
      reported.set(id, usage);
    },
  };
}

let t: TestStore;
beforeEach(async () => {
  t = await testStore();
  await t.store.createMailbox('m', 'pw');
});
afterEach(() => t.cleanup());

test("each mailbox's limits come from the quota source, re-read by refreshQuota and before every APPEND", async () => {
  const source = memorySource();
  const store = t.another({ quotaSource: source, quotaBytes: 1_000_000 });
  const s = await store.open('m', 'pw');
  expect(s.quota()).toEqual({ usedBytes: 0, limitBytes: 1_000_000, usedMessages: 0, limitMessages: null });
  source.set.set('m', { bytes: 50_000, messages: 2 });
  expect(await s.refreshQuota()).toMatchObject({ limitBytes: 50_000, limitMessages: 2 });
  await s.append('INBOX', textMessage({ subject: 'one' }));
  await s.append('INBOX', textMessage({ subject: 'two' }));
  await expect(s.append('INBOX', textMessage({ subject: 'three' }))).rejects.toThrow(/message quota/);
  // COPY counts messages too; MOVE adds none.
  expect(() => s.copy('INBOX', [1], 'Archive')).toThrow(QuotaExceededError);
  s.move('INBOX', [1], 'Archive');
  source.set.set('m', { bytes: 100, messages: null });
  await expect(s.append('INBOX', textMessage({ subject: 'four' }))).rejects.toThrow(/storage quota/);
  s.close();
  await store.close();
});

test('usage is reported after writes and after a drain, once per change', async () => {
  const source = memorySource();
  const store = t.another({ quotaSource: source });
  await store.deliver('m', textMessage({ subject: 'spooled', body: 'a'.repeat(3000) }));
  const s = await store.open('m', 'pw');
  await waitFor(() => source.reported.get('m')?.messages === 1);
  const afterDrain = source.reported.get('m')?.bytes ?? 0;
  expect(afterDrain).toBeGreaterThan(3000);
  await s.append('INBOX', textMessage({ subject: 'appended' }));
  await waitFor(() => source.reported.get('m')?.messages === 2);
  s.store('INBOX', [1], { mode: 'add', flags: ['\\Deleted'] });
  expect(s.expunge('INBOX')).toEqual([1]);
  await waitFor(() => source.reported.get('m')?.messages === 1);
  expect(source.reported.get('m')?.bytes).toBe(s.quota().usedBytes);
  s.close();
  await store.close();
});
