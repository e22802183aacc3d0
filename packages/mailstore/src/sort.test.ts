import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import type { MailboxSession, SortCriterion } from './types.js';

let t: TestStore;
let s: MailboxSession;

const ALL = { key: 'all' } as const;

// uid: subject / from / to / cc / Date header / internal date / body length
beforeAll(async () => {
  t = await testStore();
  await t.store.createMailbox('m', 'pw');
  s = await t.store.open('m', 'pw');
  const add = (opts: Parameters<typeof textMessage>[0], arrived: string) =>
    s.append('INBOX', textMessage(opts), { internalDate: new Date(arrived) });
  await add(
    {
      subject: 'Re: banana',
      from: '"Zoe" <bob@x.example>',
      to: 'carol@x.example',
      cc: 'd@x.example',
      date: 'Mon, 02 Mar 2026 12:00:00 +0100',
      body: 'x'.repeat(300),
    },
    '2026-03-05T00:00:00Z',
  );
  await add(
    {
      subject: 'apple',
      from: 'Adam <zed@x.example>',
      to: '"Mallory" <alice@x.example>',
      date: 'Mon, 02 Mar 2026 11:30:00 +0000',
      body: 'x',
    },
    '2026-03-04T00:00:00Z',
  );
  await add(
    {
      subject: '[list] Cherry (fwd)',
      from: 'alice@x.example',
      to: 'bob@x.example',
      date: 'garbage',
      body: 'x'.repeat(100),
    },
    '2026-03-01T00:00:00Z',
  );
  await add(
    { subject: 'Fwd: APPLE', from: '_under@x.example', to: 'Zara <zara@x.example>', body: 'x'.repeat(100) },
    '2026-03-06T00:00:00Z',
  );
});

afterAll(async () => {
  s.close();
  await t.cleanup();
});

const cases: Array<[string, SortCriterion[], number[]]> = [
  // uid 3 has no usable Date: its internal date (1 March) is its sent date
  ['ARRIVAL', [{ key: 'arrival' }], [3, 2, 1, 4]],
  // uid 4 has the fixture's default Date (10:00Z); uid 1's 12:00 +0100 is 11:00Z, before uid 2's 11:30Z
  ['DATE (Date header in UTC, else internal date)', [{ key: 'date' }], [3, 4, 1, 2]],
  ['REVERSE DATE', [{ key: 'date', reverse: true }], [2, 1, 4, 3]],
  ['SUBJECT (base subject; ties by sequence)', [{ key: 'subject' }], [2, 4, 1, 3]],
  ['REVERSE SUBJECT, ties still ascending', [{ key: 'subject', reverse: true }], [3, 1, 2, 4]],
  ['SUBJECT then REVERSE ARRIVAL', [{ key: 'subject' }, { key: 'arrival', reverse: true }], [4, 2, 1, 3]],
  // addr-mailbox only: ALICE, BOB, ZED, _UNDER ("_" sorts after "Z" under i;ascii-casemap)
  ['FROM', [{ key: 'from' }], [3, 1, 2, 4]],
  ['TO', [{ key: 'to' }], [2, 3, 1, 4]],
  // only uid 1 has a Cc; an empty key sorts first
  ['CC', [{ key: 'cc' }], [2, 3, 4, 1]],
  ['SIZE', [{ key: 'size' }], [2, 3, 4, 1]],
  // RFC 5957: display names ZOE, ADAM; no name: the address (ALICE@X.EXAMPLE, _UNDER@X.EXAMPLE)
  ['DISPLAYFROM', [{ key: 'displayfrom' }], [2, 3, 1, 4]],
  ['DISPLAYTO', [{ key: 'displayto' }], [3, 1, 2, 4]],
];

describe('SORT (RFC 5256 §3, RFC 5957)', () => {
  test.each(cases)('%s', (_name, criteria, expected) => {
    expect(s.sort('INBOX', criteria, ALL)).toEqual(expected);
  });

  test('sorts only the messages the search criteria select', () => {
    expect(s.sort('INBOX', [{ key: 'subject' }], { key: 'not', of: { key: 'uid', set: [2] } })).toEqual([4, 1, 3]);
    expect(s.sort('INBOX', [{ key: 'size' }], { key: 'subject', value: 'nothing like this' })).toEqual([]);
  });

  test('messages stored after the keys were first built are keyed on the next SORT', async () => {
    await s.append('INBOX', textMessage({ subject: 'aardvark', from: 'a@x.example' }));
    expect(s.sort('INBOX', [{ key: 'subject' }], ALL)[0]).toBe(5);
    expect(s.sort('INBOX', [{ key: 'from' }], ALL)[0]).toBe(5);
  });
});

describe('THREAD through the store', () => {
  test('REFERENCES and ORDEREDSUBJECT over a folder, with search criteria', async () => {
    await s.createFolder('T');
    const root = textMessage({ subject: 'plan', messageId: 'root', date: 'Mon, 02 Mar 2026 10:00:00 +0000' });
    const reply = textMessage({
      subject: 'Re: plan',
      messageId: 'reply',
      headers: 'In-Reply-To: <root@example.org>',
      date: 'Mon, 02 Mar 2026 11:00:00 +0000',
    });
    const other = textMessage({ subject: 'other', messageId: 'other', date: 'Mon, 02 Mar 2026 09:00:00 +0000' });
    for (const raw of [root, reply, other]) await s.append('T', raw);
    expect(s.thread('T', 'references', ALL)).toEqual([
      { uid: 3, children: [] },
      { uid: 1, children: [{ uid: 2, children: [] }] },
    ]);
    expect(s.thread('T', 'orderedsubject', ALL)).toEqual([
      { uid: 3, children: [] },
      { uid: 1, children: [{ uid: 2, children: [] }] },
    ]);
    expect(s.thread('T', 'references', { key: 'uid', set: [2, 3] })).toEqual([
      { uid: 3, children: [] },
      { uid: 2, children: [] },
    ]);
  });
});
