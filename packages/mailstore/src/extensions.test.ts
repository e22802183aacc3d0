import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { messageWithAttachment, type TestStore, testStore, textMessage } from '../test/fixtures.js';
import type { MailboxSession } from './types.js';

let t: TestStore;
let s: MailboxSession;
beforeEach(async () => {
  t = await testStore({ quotaBytes: 50_000 });
  await t.store.createMailbox('m', 'pw');
  s = await t.store.open('m', 'pw');
});
afterEach(async () => {
  s.close();
  await t.cleanup();
});

const OBJECT_ID = /^[A-Za-z0-9_-]{1,255}$/;

describe('OBJECTID (RFC 8474)', () => {
  test('MAILBOXID is unique per folder, survives RENAME, and a re-created name gets a new one', () => {
    const ids = s.listFolders().map((f) => f.objectId);
    for (const id of ids) expect(id).toMatch(OBJECT_ID);
    expect(new Set(ids).size).toBe(ids.length);
    const created = s.createFolder('Projects/2026');
    s.renameFolder('Projects/2026', 'Archive/2026');
    expect(s.getFolder('Archive/2026')?.objectId).toBe(created.objectId);
    s.deleteFolder('Archive/2026');
    expect(s.createFolder('Archive/2026').objectId).not.toBe(created.objectId);
  });

  test('EMAILID follows the message through COPY and MOVE; THREADID is shared by a thread', async () => {
    await s.append('INBOX', textMessage({ subject: 'start', messageId: 'start' }));
    await s.append('INBOX', textMessage({ subject: 'Re: start', headers: 'References: <start@example.org>' }));
    await s.append('INBOX', textMessage({ subject: 'unrelated' }));
    const [a, b, c] = s.messageAttributes('INBOX', [1, 2, 3, 99]);
    expect(s.messageAttributes('INBOX', [1, 2, 3, 99])).toHaveLength(3);
    expect(a?.emailId).toMatch(OBJECT_ID);
    expect(a?.threadId).toMatch(OBJECT_ID);
    expect(new Set([a?.emailId, b?.emailId, c?.emailId]).size).toBe(3);
    expect(b?.threadId).toBe(a?.threadId);
    expect(c?.threadId).not.toBe(a?.threadId);
    const copied = s.copy('INBOX', [1], 'Archive');
    const moved = s.move('INBOX', [3], 'Trash');
    expect(s.messageAttributes('Archive', copied.destUids)[0]?.emailId).toBe(a?.emailId);
    expect(s.getMessage('Trash', moved.destUids[0] as number)?.emailId).toBe(c?.emailId);
    expect(s.getMessage('INBOX', 2)?.threadObjectId).toBe(a?.threadId);
  });

  test('SEARCH EMAILID and THREADID (RFC 8474 §5)', async () => {
    await s.append('INBOX', textMessage({ messageId: 'p' }));
    await s.append('INBOX', textMessage({ headers: 'In-Reply-To: <p@example.org>' }));
    await s.append('INBOX', textMessage());
    const [first, , third] = s.messageAttributes('INBOX', [1, 2, 3]);
    expect(s.search('INBOX', { key: 'emailid', id: third?.emailId ?? '' })).toEqual([3]);
    expect(s.search('INBOX', { key: 'threadid', id: first?.threadId ?? '' })).toEqual([1, 2]);
    expect(s.search('INBOX', { key: 'threadid', id: first?.emailId ?? '' })).toEqual([]);
    expect(s.search('INBOX', { key: 'emailid', id: 'Mnothing' })).toEqual([]);
  });
});

describe('SAVEDATE (RFC 8514)', () => {
  test('the save date is when the entry was stored, not the internal date; COPY gets a new one', async () => {
    const before = Date.now();
    await s.append('INBOX', textMessage(), { internalDate: new Date('2001-01-01T00:00:00Z') });
    const saved = s.getMessage('INBOX', 1)?.savedDate.getTime() ?? 0;
    expect(saved).toBeGreaterThanOrEqual(before - 5);
    expect(saved).toBeLessThanOrEqual(Date.now() + 5);
    expect(s.messageAttributes('INBOX', [1])[0]?.savedDate.getTime()).toBe(saved);
    await new Promise((r) => setTimeout(r, 20));
    const { destUids } = s.copy('INBOX', [1], 'Archive');
    expect(s.messageAttributes('Archive', destUids)[0]?.savedDate.getTime()).toBeGreaterThan(saved);
  });

  test('SAVEDBEFORE / SAVEDON / SAVEDSINCE compare calendar days of the save date', async () => {
    await s.append('INBOX', textMessage(), { internalDate: new Date('2001-01-01T00:00:00Z') });
    const today = new Date();
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect(s.search('INBOX', { key: 'savedon', date: today })).toEqual([1]);
    expect(s.search('INBOX', { key: 'savedsince', date: today })).toEqual([1]);
    expect(s.search('INBOX', { key: 'savedbefore', date: tomorrow })).toEqual([1]);
    expect(s.search('INBOX', { key: 'savedbefore', date: today })).toEqual([]);
    expect(s.search('INBOX', { key: 'on', date: new Date('2001-01-01T00:00:00Z') })).toEqual([1]);
  });
});

describe('WITHIN (RFC 5032)', () => {
  test('OLDER and YOUNGER count seconds back from now on the internal date', async () => {
    const now = Date.now();
    await s.append('INBOX', textMessage(), { internalDate: new Date(now - 3 * 3600_000) });
    await s.append('INBOX', textMessage(), { internalDate: new Date(now - 60_000) });
    expect(s.search('INBOX', { key: 'older', seconds: 3600 })).toEqual([1]);
    expect(s.search('INBOX', { key: 'younger', seconds: 3600 })).toEqual([2]);
    expect(s.search('INBOX', { key: 'younger', seconds: 5 * 3600 })).toEqual([1, 2]);
    expect(s.search('INBOX', { key: 'older', seconds: 5 * 3600 })).toEqual([]);
  });
});

describe('STATUS SIZE and DELETED (RFC 8438, RFC 9051 §6.3.11)', () => {
  test('size sums RFC822.SIZE; deleted counts \\Deleted', async () => {
    const a = textMessage({ body: 'one' });
    const b = textMessage({ body: 'second message' });
    await s.append('INBOX', a, { flags: ['\\Deleted'] });
    await s.append('INBOX', b);
    expect(s.status('INBOX')).toMatchObject({ messages: 2, size: a.length + b.length, deleted: 1 });
    expect(s.status('INBOX').mailboxId).toBe(s.getFolder('INBOX')?.objectId);
    s.store('INBOX', [2], { mode: 'add', flags: ['\\Deleted'] });
    expect(s.status('INBOX').deleted).toBe(2);
    s.expunge('INBOX');
    expect(s.status('INBOX')).toMatchObject({ messages: 0, size: 0, deleted: 0 });
  });
});

describe('PREVIEW (RFC 8970)', () => {
  test('computed from the body, kept, and shared by copies', async () => {
    await s.append('INBOX', textMessage({ body: 'Dinner   at eight?\r\nBring wine.' }));
    await s.append('INBOX', messageWithAttachment('report', Buffer.alloc(5000, 1)));
    expect(s.previews('INBOX', [1, 2, 7])).toEqual(
      new Map([
        [1, 'Dinner at eight? Bring wine.'],
        [2, 'see attached report'],
      ]),
    );
    s.copy('INBOX', [1], 'Archive');
    expect(s.previews('Archive', [1]).get(1)).toBe('Dinner at eight? Bring wine.');
  });
});

describe('BINARY (RFC 3516)', () => {
  test('decoded part content, partial ranges over the decoded bytes, whole message as stored', async () => {
    const attachment = Buffer.from(Array.from({ length: 6000 }, (_, i) => i % 256));
    const raw = messageWithAttachment('bin', attachment);
    await s.append('INBOX', raw);
    expect(s.getBinarySection('INBOX', 1, '2')).toEqual({ kind: 'data', data: attachment });
    expect(s.getBinarySection('INBOX', 1, '2', { start: 10, length: 4 })).toEqual({
      kind: 'data',
      data: attachment.subarray(10, 14),
    });
    expect(s.getBinarySection('INBOX', 1, '')).toEqual({ kind: 'data', data: raw });
    expect(s.getBinarySection('INBOX', 1, '9')).toBeNull();
    expect(s.getBinarySection('INBOX', 2, '1')).toBeNull();
  });
});

describe('MULTIAPPEND (RFC 3502)', () => {
  test('all messages get consecutive UIDs in one commit', async () => {
    const results = await s.appendMany('Drafts', [
      { raw: textMessage({ subject: 'one' }), opts: { flags: ['\\Seen'] } },
      { raw: textMessage({ subject: 'two' }), opts: { internalDate: new Date('2020-02-02T00:00:00Z') } },
    ]);
    expect(results.map((r) => r.uid)).toEqual([1, 2]);
    const list = s.listMessages('Drafts');
    expect(list.map((m) => m.flags)).toEqual([['\\Seen'], []]);
    expect(list[1]?.internalDate.toISOString()).toBe('2020-02-02T00:00:00.000Z');
    expect(s.search('Drafts', { key: 'subject', value: 'two' })).toEqual([2]);
  });

  test('none is stored when one does not fit (quota), and the UIDs are not used up', async () => {
    const big = textMessage({ body: 'x'.repeat(30_000) });
    await expect(s.appendMany('INBOX', [{ raw: big }, { raw: big }])).rejects.toThrow(/quota/i);
    expect(s.listMessages('INBOX')).toEqual([]);
    expect(s.getFolder('INBOX')?.uidNext).toBe(1);
    expect(s.quota().usedBytes).toBe(0);
  });
});
