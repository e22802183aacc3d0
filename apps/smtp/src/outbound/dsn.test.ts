import type { QueueDsn, QueueItem } from '@mailyard/control';
import { describe, expect, test } from 'vitest';
import { envelopesFor, wantsFailureReport } from './dsn.js';

const dsn: QueueDsn = {
  ret: 'FULL',
  envid: 'E1',
  recipients: {
    'a@x.test': { notify: ['FAILURE'] },
    'b@x.test': { notify: ['FAILURE'] },
    'c@x.test': { notify: ['FAILURE'], orcpt: 'rfc822;c@old.test' },
    'n@x.test': { notify: ['NEVER'] },
    's@x.test': { notify: ['SUCCESS'] },
  },
};

describe('DSN parameters per recipient (RFC 3461)', () => {
  test('recipients sharing NOTIFY and ORCPT share a transaction; each keeps RET and ENVID', () => {
    expect(envelopesFor(dsn, ['a@x.test', 'c@x.test', 'b@x.test', 'plain@x.test'])).toEqual([
      { to: ['a@x.test', 'b@x.test'], dsn: { ret: 'FULL', envid: 'E1', notify: ['FAILURE'] } },
      { to: ['c@x.test'], dsn: { ret: 'FULL', envid: 'E1', notify: ['FAILURE'], orcpt: 'rfc822;c@old.test' } },
      { to: ['plain@x.test'], dsn: { ret: 'FULL', envid: 'E1' } },
    ]);
  });

  test('without DSN parameters everything goes in one plain transaction', () => {
    expect(envelopesFor(undefined, ['a@x.test', 'b@x.test'])).toEqual([{ to: ['a@x.test', 'b@x.test'] }]);
  });

  test.each([
    ['a@x.test', true],
    ['plain@x.test', true],
    ['n@x.test', false],
    ['s@x.test', false],
  ])('failure report for %s: %s (§4.1)', (address, expected) => {
    expect(wantsFailureReport({ dsn } as QueueItem, address)).toBe(expected);
  });
});
