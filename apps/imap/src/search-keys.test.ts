import { describe, expect, test } from 'vitest';
import { extensionSearchKey } from './search-keys.js';

function keyOf(key: string, ...args: string[]) {
  const queue = [...args];
  return extensionSearchKey(key, (what) => {
    const value = queue.shift();
    if (value === undefined) throw new Error(`missing ${what}`);
    return value;
  });
}

describe('extension SEARCH keys', () => {
  test('WITHIN (RFC 5032): OLDER/YOUNGER take a non-zero number of seconds', () => {
    expect(keyOf('older', '3600')).toEqual({ key: 'older', seconds: 3600 });
    expect(keyOf('younger', '1')).toEqual({ key: 'younger', seconds: 1 });
    expect(() => keyOf('older', '0')).toThrow(/interval/);
    expect(() => keyOf('younger', '-5')).toThrow(/interval/);
    expect(() => keyOf('younger', 'soon')).toThrow(/interval/);
  });

  test('SAVEDATE (RFC 8514): SAVEDBEFORE/SAVEDON/SAVEDSINCE take a date; SAVEDATESUPPORTED matches all', () => {
    expect(keyOf('savedsince', '1-Feb-2026')).toEqual({ key: 'savedsince', date: new Date('2026-02-01T00:00:00Z') });
    expect(keyOf('savedatesupported')).toEqual({ key: 'all' });
    expect(() => keyOf('savedon', '2026-02-01')).toThrow(/date/i);
  });

  test('OBJECTID (RFC 8474 §5): EMAILID/THREADID take an objectid', () => {
    expect(keyOf('emailid', 'Mabc_12-3')).toEqual({ key: 'emailid', id: 'Mabc_12-3' });
    expect(() => keyOf('threadid', 'T.bad')).toThrow(/object id/);
    expect(() => keyOf('threadid', 'x'.repeat(256))).toThrow(/object id/);
  });

  test('SEARCHRES (RFC 5182): $ is the saved UIDs, or nothing when nothing was saved', () => {
    expect(extensionSearchKey('$', () => '', { saved: [4, 9] })).toEqual({ key: 'uid', set: [4, 9] });
    expect(extensionSearchKey('$', () => '')).toEqual({ key: 'uid', set: [] });
  });

  test('other keys are not extension keys', () => {
    expect(keyOf('subject', 'x')).toBeUndefined();
  });
});
