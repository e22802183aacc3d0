import { describe, expect, test } from 'vitest';
import { parseNotifySet } from './notify-filter.js';
import type { Token } from './protocol/types.js';

const atom = (value: string): Token => ({ type: 'atom', value, raw: Buffer.from(value) });
const str = (value: string): Token => ({ type: 'string', value: Buffer.from(value) });
const list = (...items: Token[]): Token => ({ type: 'list', items });
const events = (...names: string[]) => list(...names.map(atom));

describe('NOTIFY SET arguments (RFC 5465 §3.1, §8)', () => {
  test('STATUS, filters with and without names, NONE, MessageNew fetch-att', () => {
    const spec = parseNotifySet(
      [
        atom('status'),
        list(atom('selected'), list(atom('MessageNew'), list(atom('UID'), atom('FLAGS')), atom('messageexpunge'))),
        list(atom('SUBTREE'), list(str('Work'), atom('inbox')), events('MailboxName')),
        list(atom('MAILBOXES'), str('Lists/a b'), atom('NONE')),
        list(atom('PERSONAL'), events('MessageNew', 'MessageExpunge', 'FlagChange', 'SubscriptionChange')),
      ],
      false,
    );
    expect(spec.status).toBe(true);
    expect(spec.groups.map((g) => g.filter)).toEqual(['SELECTED', 'SUBTREE', 'MAILBOXES', 'PERSONAL']);
    expect(spec.groups[0]?.fetchItems).toEqual(['UID', 'FLAGS']);
    expect([...(spec.groups[0]?.events ?? [])]).toEqual(['MessageNew', 'MessageExpunge']);
    expect(spec.groups[1]?.paths).toEqual(['Work', 'INBOX']);
    expect(spec.groups[2]?.paths).toEqual(['Lists/a b']);
    expect(spec.groups[2]?.events.size).toBe(0);
  });

  test('unsupported or unknown events are NO [BADEVENT (...)]', () => {
    for (const name of ['AnnotationChange', 'MailboxMetadataChange', 'ServerMetadataChange', 'Bogus']) {
      expect(() => parseNotifySet([list(atom('PERSONAL'), events(name))], false)).toThrow(
        expect.objectContaining({
          code: 'BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)',
        }),
      );
    }
  });

  test.each([
    ['MessageNew alone', [list(atom('SELECTED'), events('MessageNew'))]],
    ['FlagChange alone', [list(atom('PERSONAL'), events('FlagChange'))]],
    [
      'fetch-att outside SELECTED',
      [list(atom('PERSONAL'), list(atom('MessageNew'), list(atom('UID')), atom('MessageExpunge')))],
    ],
    [
      'a \\Seen-setting fetch-att',
      [list(atom('SELECTED'), list(atom('MessageNew'), list(atom('BODY[]')), atom('MessageExpunge')))],
    ],
    ['mailbox events for SELECTED', [list(atom('SELECTED-DELAYED'), events('MailboxName'))]],
    ['two selected groups', [list(atom('SELECTED'), atom('NONE')), list(atom('SELECTED-DELAYED'), atom('NONE'))]],
    ['an unknown filter', [list(atom('ELSEWHERE'), atom('NONE'))]],
    ['SUBTREE without names', [list(atom('SUBTREE'), events('MailboxName'))]],
    ['an empty event list', [list(atom('PERSONAL'), list())]],
    ['no group', []],
  ])('%s is BAD', (_name, args) => {
    expect(() => parseNotifySet(args as Token[], false)).toThrow(expect.objectContaining({ name: 'InputSyntaxError' }));
  });
});
