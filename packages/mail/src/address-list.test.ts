import { describe, expect, test } from 'vitest';
import { addressListText, mailboxesOf, parseAddressList } from './address-list.js';

describe('parseAddressList (RFC 5322 §3.4)', () => {
  test('names, angle addresses, quoted local parts, comments and routes', () => {
    expect(parseAddressList('"Doe, Jane" <jane@a.test>, "x y"@b.test (Bob), <@relay.test:c@c.test>')).toEqual([
      { kind: 'mailbox', name: 'Doe, Jane', route: null, mailbox: 'jane', host: 'a.test' },
      { kind: 'mailbox', name: 'Bob', route: null, mailbox: '"x y"', host: 'b.test' },
      { kind: 'mailbox', name: null, route: '@relay.test', mailbox: 'c', host: 'c.test' },
    ]);
  });

  test('groups keep their members; broken input never throws', () => {
    expect(parseAddressList('team: a@x.test, b@x.test;, c@y.test')).toEqual([
      {
        kind: 'group',
        name: 'team',
        members: [
          { kind: 'mailbox', name: null, route: null, mailbox: 'a', host: 'x.test' },
          { kind: 'mailbox', name: null, route: null, mailbox: 'b', host: 'x.test' },
        ],
      },
      { kind: 'mailbox', name: null, route: null, mailbox: 'c', host: 'y.test' },
    ]);
    expect(() => parseAddressList('<<<"unterminated ( [ :;,')).not.toThrow();
  });
});

describe('mailboxesOf', () => {
  test('flattens groups in place; an empty group contributes nothing', () => {
    const entries = parseAddressList('a@x.test, g: b@x.test, c@x.test;, undisclosed-recipients:;, d@x.test');
    expect(mailboxesOf(entries).map((m) => `${m.mailbox}@${m.host}`)).toEqual([
      'a@x.test',
      'b@x.test',
      'c@x.test',
      'd@x.test',
    ]);
    expect(mailboxesOf([])).toEqual([]);
  });

  test('addressListText renders what was parsed', () => {
    expect(addressListText(parseAddressList('Ann <a@x.test>, g: b@x.test;'))).toBe('Ann <a@x.test>, g: b@x.test;');
  });
});
