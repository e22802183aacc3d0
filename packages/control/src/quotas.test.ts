import { ValidationError } from '@mailyard/errors';
import { describe, expect, it } from 'vitest';
import { type MailboxQuotaRecord, parseMessageLimit, parseQuota, resolveQuota } from './quotas.js';

const GiB = 1024 ** 3;

function record(over: Partial<MailboxQuotaRecord> = {}): MailboxQuotaRecord {
  return {
    aliasId: 'a',
    domainId: 'd',
    maxQuota: null,
    maxMessages: null,
    storageUsed: 0,
    messageCount: 0,
    domainMaxQuotaPerAlias: null,
    domainMaxQuota: null,
    domainStorageUsed: 0,
    ...over,
  };
}

describe('resolveQuota', () => {
  it('takes the alias limit first, then the domain per-alias limit, then the server default', () => {
    expect(resolveQuota(record(), 10 * GiB).bytes).toBe(10 * GiB);
    expect(resolveQuota(record({ domainMaxQuotaPerAlias: 2 * GiB }), 10 * GiB).bytes).toBe(2 * GiB);
    expect(resolveQuota(record({ domainMaxQuotaPerAlias: 2 * GiB, maxQuota: 5 * GiB }), 10 * GiB).bytes).toBe(5 * GiB);
    expect(resolveQuota(record({ maxQuota: 0 }), 10 * GiB).bytes).toBe(0);
  });

  it("lowers the limit to what the domain's cap leaves this mailbox", () => {
    const r = record({ maxQuota: 1000, storageUsed: 100, domainMaxQuota: 1500, domainStorageUsed: 1100 });
    // Others hold 1000 of the domain's 1500: this mailbox may hold 500, under its own 1000.
    const q = resolveQuota(r, 10 * GiB);
    expect(q).toMatchObject({ mailboxBytes: 1000, bytes: 500, usedBytes: 100 });
    expect(resolveQuota(record({ domainMaxQuota: 10, domainStorageUsed: 50 }), 10 * GiB).bytes).toBe(0);
  });

  it('reports a message limit only when set, and counts the undrained spool as used', () => {
    expect(resolveQuota(record(), GiB).messages).toBeNull();
    const q = resolveQuota(record({ maxMessages: 7, storageUsed: 10, messageCount: 3 }), GiB, {
      bytes: 25,
      messages: 2,
    });
    expect(q).toMatchObject({ messages: 7, usedBytes: 35, usedMessages: 5 });
  });
});

describe('parseQuota', () => {
  it('reads bytes and size strings in powers of 1024', () => {
    expect(parseQuota(1234, 'q')).toBe(1234);
    expect(parseQuota('10GB', 'q')).toBe(10 * GiB);
    expect(parseQuota('512 mb', 'q')).toBe(512 * 1024 ** 2);
    expect(parseQuota('1.5GiB', 'q')).toBe(1.5 * GiB);
    expect(parseQuota('100', 'q')).toBe(100);
    expect(parseQuota(null, 'q')).toBeNull();
  });

  it('refuses anything else with the field named', () => {
    for (const bad of [-1, 1.5, '10 XB', 'lots', '', true, {}, Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => parseQuota(bad, 'max_quota')).toThrow(ValidationError);
    }
    expect(() => parseQuota('ten', 'max_quota')).toThrow(/^max_quota: /);
    expect(parseMessageLimit(5, 'm')).toBe(5);
    expect(() => parseMessageLimit('5', 'm')).toThrow(ValidationError);
  });
});
