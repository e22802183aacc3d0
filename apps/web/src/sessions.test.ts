import { describe, expect, test } from 'vitest';
import { isSessionId, SessionTable } from './sessions.js';

describe('SessionTable', () => {
  test('issues 256-bit random ids and expires sessions at their absolute lifetime', () => {
    let now = 1_000;
    const table = new SessionTable({ maxAgeMs: 500, now: () => now });
    const session = table.create('acct');
    expect(isSessionId(session.id)).toBe(true);
    expect(Buffer.from(session.id, 'base64url')).toHaveLength(32);
    expect(table.create('acct').id).not.toBe(session.id);
    expect(table.get(session.id)?.accountId).toBe('acct');
    now += 500;
    expect(table.get(session.id)).toBeNull();
  });

  test('ends the other sessions of an account, and drops the oldest past the cap', () => {
    const table = new SessionTable({ maxAgeMs: 60_000, maxSessions: 3 });
    const a = table.create('a');
    const a2 = table.create('a');
    const b = table.create('b');
    table.deleteForAccount('a', a2.id);
    expect(table.get(a.id)).toBeNull();
    expect(table.get(a2.id)).not.toBeNull();
    table.create('c');
    table.create('d');
    expect(table.size).toBe(3);
    expect(table.get(a2.id)).toBeNull();
    expect(table.get(b.id)).not.toBeNull();
  });

  test('accepts only well-formed ids from cookies', () => {
    expect(isSessionId(undefined)).toBe(false);
    expect(isSessionId('short')).toBe(false);
    expect(isSessionId(`${'a'.repeat(42)}=`)).toBe(false);
  });
});
