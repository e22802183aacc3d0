import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';
import type { MailboxSession, MessageQuery } from './types.js';

let t: TestStore;
let s: MailboxSession;

// uid 1..4, see the flags and dates below.
beforeAll(async () => {
  t = await testStore();
  await t.store.createMailbox('m', 'pw');
  s = await t.store.open('m', 'pw');
  await s.append(
    'INBOX',
    textMessage({
      subject: 'Quarterly Report',
      from: 'Alice Smith <alice@example.org>',
      to: 'bob@example.net',
      cc: 'Carol <carol@example.com>',
      date: 'Sun, 01 Feb 2026 12:00:00 +0000',
      headers: 'X-Priority: urgent-high',
      body: 'Revenue grew strongly in Zürich. Straße ok.',
    }),
    { flags: ['\\Seen', '\\Answered'], internalDate: new Date('2026-02-01T12:00:00Z') },
  );
  await s.append(
    'INBOX',
    textMessage({
      subject: 'Lunch?',
      from: 'dave@example.org',
      to: 'alice@example.org',
      date: 'Mon, 02 Feb 2026 09:00:00 +0000',
      headers: 'Bcc: eve@example.com',
      body: 'Pizza at noon, 100% sure [really]*?',
    }),
    { flags: ['\\Flagged', 'Personal'], internalDate: new Date('2026-02-02T09:00:00Z') },
  );
  await s.append(
    'INBOX',
    textMessage({ subject: 'Draft idea', body: `ab${' filler'.repeat(300)}`, date: 'Tue, 03 Feb 2026 00:00:00 +0000' }),
    { flags: ['\\Draft', '\\Deleted'], internalDate: new Date('2026-02-03T23:59:00Z') },
  );
  await s.append('INBOX', textMessage({ subject: 'Re: Quarterly Report', body: 'Thanks' }), {
    internalDate: new Date('2026-02-10T00:00:00Z'),
  });
  s.claimRecent('INBOX');
  s.store('INBOX', [4], { mode: 'add', flags: ['\\Seen'] });
});

afterAll(async () => {
  s.close();
  await t.cleanup();
});

const cases: Array<[string, MessageQuery, number[]]> = [
  ['ALL', { key: 'all' }, [1, 2, 3, 4]],
  ['ANSWERED', { key: 'answered' }, [1]],
  ['UNANSWERED', { key: 'unanswered' }, [2, 3, 4]],
  ['DELETED', { key: 'deleted' }, [3]],
  ['UNDELETED', { key: 'undeleted' }, [1, 2, 4]],
  ['DRAFT', { key: 'draft' }, [3]],
  ['UNDRAFT', { key: 'undraft' }, [1, 2, 4]],
  ['FLAGGED', { key: 'flagged' }, [2]],
  ['UNFLAGGED', { key: 'unflagged' }, [1, 3, 4]],
  ['SEEN', { key: 'seen' }, [1, 4]],
  ['UNSEEN', { key: 'unseen' }, [2, 3]],
  ['KEYWORD (case-insensitive)', { key: 'keyword', keyword: 'personal' }, [2]],
  ['UNKEYWORD', { key: 'unkeyword', keyword: 'Personal' }, [1, 3, 4]],
  ['RECENT (claimed)', { key: 'recent' }, []],
  ['OLD', { key: 'old' }, [1, 2, 3, 4]],
  ['FROM', { key: 'from', value: 'SMITH' }, [1]],
  ['TO', { key: 'to', value: 'alice@' }, [2]],
  ['CC', { key: 'cc', value: 'carol' }, [1]],
  ['BCC', { key: 'bcc', value: 'eve@' }, [2]],
  ['SUBJECT substring', { key: 'subject', value: 'arterly rep' }, [1, 4]],
  ['SUBJECT short needle', { key: 'subject', value: 'h?' }, [2]],
  ['BODY', { key: 'body', value: 'revenue GREW' }, [1]],
  ['BODY non-ASCII case-insensitive', { key: 'body', value: 'zÜRICH' }, [1]],
  ['BODY glob characters literal', { key: 'body', value: '[really]*?' }, [2]],
  ['BODY percent literal', { key: 'body', value: '100%' }, [2]],
  ['BODY two letters (fallback)', { key: 'body', value: 'ab' }, [3]],
  ['BODY does not search headers', { key: 'body', value: 'Quarterly' }, []],
  ['TEXT covers headers and body', { key: 'text', value: 'quarterly' }, [1, 4]],
  ['TEXT body word', { key: 'text', value: 'pizza' }, [2]],
  ['HEADER', { key: 'header', field: 'X-Priority', value: 'URGENT' }, [1]],
  ['HEADER empty value = has field', { key: 'header', field: 'x-priority', value: '' }, [1]],
  ['HEADER wrong field', { key: 'header', field: 'Subject', value: 'urgent' }, []],
  ['BEFORE', { key: 'before', date: new Date('2026-02-02T00:00:00Z') }, [1]],
  ['ON', { key: 'on', date: new Date('2026-02-03T00:00:00Z') }, [3]],
  ['SINCE', { key: 'since', date: new Date('2026-02-03T00:00:00Z') }, [3, 4]],
  ['SENTBEFORE', { key: 'sentbefore', date: new Date('2026-02-02T00:00:00Z') }, [1]],
  ['SENTON', { key: 'senton', date: new Date('2026-02-02T00:00:00Z') }, [2]],
  ['SENTSINCE', { key: 'sentsince', date: new Date('2026-02-03T00:00:00Z') }, [3, 4]],
  ['LARGER', { key: 'larger', size: 1000 }, [3]],
  ['SMALLER', { key: 'smaller', size: 1000 }, [1, 2, 4]],
  ['UID set with range and *', { key: 'uid', set: [1, { from: 3, to: '*' }] }, [1, 3, 4]],
  ['UID n:* beyond the largest', { key: 'uid', set: [{ from: 9, to: '*' }] }, [4]],
  ['empty UID set (SEARCHRES $ after a search that found nothing)', { key: 'uid', set: [] }, []],
  ['NOT', { key: 'not', of: { key: 'seen' } }, [2, 3]],
  ['OR', { key: 'or', left: { key: 'draft' }, right: { key: 'flagged' } }, [2, 3]],
  [
    'AND list',
    {
      key: 'and',
      of: [
        { key: 'text', value: 'quarterly' },
        { key: 'not', of: { key: 'answered' } },
      ],
    },
    [4],
  ],
];

describe('RFC 3501 §6.4.4 search keys', () => {
  test.each(cases)('%s', (_name, query, expected) => {
    expect(s.search('INBOX', query)).toEqual(expected);
  });

  test('MODSEQ (RFC 7162 §3.1.5) finds messages changed since', () => {
    const m4 = s.listMessages('INBOX')[3]?.modseq ?? 0;
    expect(s.search('INBOX', { key: 'modseq', modseq: m4 })).toEqual([4]);
  });

  test('mail is searchable right after append, before background indexing ran', async () => {
    await s.append('Drafts', textMessage({ subject: 'fresh', body: 'unindexed marmalade' }));
    expect(s.search('Drafts', { key: 'body', value: 'marmalade' })).toEqual([1]);
    await s.append('Drafts', textMessage({ subject: 'gone', body: 'ephemeral' }), { flags: ['\\Deleted'] });
    expect(s.expunge('Drafts')).toEqual([2]);
    expect(s.search('Drafts', { key: 'body', value: 'ephemeral' })).toEqual([]);
    // A moment in which background indexing may run: the answer must be the same whether it ran or not.
    await new Promise((r) => setTimeout(r, 20));
    expect(s.search('Drafts', { key: 'text', value: 'marmalade' })).toEqual([1]);
  });

  test('a long UID set (many ranges) gives the same answer', () => {
    const set = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 2 * i + 1 : { from: 2 * i + 1, to: 2 * i + 1 }));
    expect(s.search('INBOX', { key: 'uid', set })).toEqual([1, 3]);
  });

  test('RECENT and NEW use the session recent set when given', () => {
    const recentUids = new Set([2, 4]);
    expect(s.search('INBOX', { key: 'recent' }, { recentUids })).toEqual([2, 4]);
    expect(s.search('INBOX', { key: 'new' }, { recentUids })).toEqual([2]);
  });
});
