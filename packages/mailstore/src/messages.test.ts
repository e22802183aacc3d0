import { randomBytes } from 'node:crypto';
import { NotFoundError, QuotaExceededError } from '@mailyard/errors';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { messageWithAttachment, type TestStore, testStore, textMessage } from '../test/fixtures.js';
import { readKeyFile, unwrapWithPassword } from './keys.js';
import { mailboxPaths } from './paths.js';
import { openDatabase } from './schema.js';
import type { MailboxSession } from './types.js';

let t: TestStore;
let s: MailboxSession;
beforeEach(async () => {
  t = await testStore({ quotaBytes: 200_000 });
  await t.store.createMailbox('m', 'pw');
  s = await t.store.open('m', 'pw');
});
afterEach(async () => {
  s.close();
  await t.cleanup();
});

test('append returns UIDs and modseqs; list is in UID order with flags', async () => {
  const r1 = await s.append('INBOX', textMessage(), { flags: ['\\Seen', '$Label1'], internalDate: new Date(1e12) });
  const r2 = await s.append('INBOX', textMessage());
  expect(r1.uid).toBe(1);
  expect(r2.uid).toBe(2);
  expect(r2.modseq).toBeGreaterThan(r1.modseq);
  expect(r1.uidValidity).toBe(s.getFolder('INBOX')?.uidValidity);
  const list = s.listMessages('INBOX');
  expect(list.map((m) => m.uid)).toEqual([1, 2]);
  expect(list[0]?.flags).toEqual(['\\Seen', '$Label1']);
  expect(list[0]?.internalDate.getTime()).toBe(1e12);
  const msg = s.getMessage('INBOX', 1);
  expect(msg?.headers.find((h) => h.key === 'subject')?.value).toBe('Test message');
  expect(msg?.envelope).toBeTruthy();
  expect(msg?.bodystructure).toBeTruthy();
  expect(s.getMessage('INBOX', 99)).toBeNull();
});

test('listed messages are shared read-only rows; keywords, sizes and dates survive serialisation', async () => {
  await s.append('INBOX', textMessage(), { flags: ['$Work'], internalDate: new Date(2e12) });
  await s.append('INBOX', textMessage(), { flags: ['\\Seen'] });
  const [first, second] = s.listMessages('INBOX');
  expect(first?.flags).toEqual(['$Work']);
  expect(second?.flags).toEqual(['\\Seen']);
  expect(() => {
    (first as { uid: number }).uid = 7;
  }).toThrow(TypeError);
  expect(() => first?.flags.push('x')).toThrow(TypeError);
  const copy = JSON.parse(JSON.stringify(first)) as Record<string, unknown>;
  expect(copy).toEqual({
    uid: 1,
    modseq: first?.modseq,
    flags: ['$Work'],
    size: first?.size,
    internalDate: new Date(2e12).toISOString(),
  });
});

test('store modes, modseq bumps, journal and UNCHANGEDSINCE failures (RFC 7162 §3.1.3)', async () => {
  await s.append('INBOX', textMessage());
  await s.append('INBOX', textMessage());
  const start = s.getFolder('INBOX')?.highestModseq ?? 0;
  const added = s.store('INBOX', [1, 2], { mode: 'add', flags: ['\\Flagged', 'Work'] });
  expect(added.updated.map((u) => u.flags)).toEqual([
    ['\\Flagged', 'Work'],
    ['\\Flagged', 'Work'],
  ]);
  expect(added.updated[1]?.modseq).toBe(start + 2);
  expect(s.getFolder('INBOX')?.highestModseq).toBe(start + 2);
  const m1 = added.updated[0]?.modseq ?? 0;
  const conflict = s.store('INBOX', [1, 2], { mode: 'remove', flags: ['work'], unchangedSince: m1 });
  expect(conflict.failed).toEqual([2]);
  expect(conflict.updated).toEqual([{ uid: 1, flags: ['\\Flagged'], modseq: start + 3 }]);
  const noop = s.store('INBOX', [1], { mode: 'add', flags: ['\\Flagged'] });
  expect(noop.updated[0]?.modseq).toBe(start + 3);
  s.store('INBOX', [2], { mode: 'set', flags: ['\\Seen'] });
  expect(s.listMessages('INBOX')[1]?.flags).toEqual(['\\Seen']);
  const changes = s.changesSince('INBOX', start);
  expect(changes.map((c) => [c.uid, c.kind])).toEqual([
    [1, 'flags'],
    [2, 'flags'],
    [1, 'flags'],
    [2, 'flags'],
  ]);
});

test('copy and move assign new UIDs (RFC 4315 COPYUID) and journal the expunge', async () => {
  for (let i = 0; i < 3; i++) await s.append('INBOX', textMessage({ subject: `m${i}` }), { flags: ['\\Seen'] });
  const archive = s.getFolder('Archive');
  const copied = s.copy('INBOX', [3, 1, 7], 'Archive');
  expect(copied).toEqual({ uidValidity: archive?.uidValidity, sourceUids: [1, 3], destUids: [1, 2] });
  expect(s.listMessages('Archive')[0]?.flags).toEqual(['\\Seen']);
  const before = s.getFolder('INBOX')?.highestModseq ?? 0;
  const moved = s.move('INBOX', [2], 'Archive');
  expect(moved.destUids).toEqual([3]);
  expect(s.listMessages('INBOX').map((m) => m.uid)).toEqual([1, 3]);
  expect(s.changesSince('INBOX', before)).toEqual([{ modseq: before + 1, uid: 2, kind: 'expunged' }]);
  expect(s.getRaw('Archive', 3)?.toString()).toContain('Subject: m1');
});

test('expunge removes only \\Deleted (optionally among UIDs); shared attachments go at refcount zero', async () => {
  const blob = randomBytes(20_000);
  const a = messageWithAttachment('first', blob);
  const b = messageWithAttachment('second', blob);
  await s.append('INBOX', a);
  await s.append('INBOX', b);
  s.copy('INBOX', [1], 'Archive');
  const used = s.quota().usedBytes;
  expect(used).toBe(2 * a.length + b.length);
  expect(s.getRaw('INBOX', 2)?.equals(b)).toBe(true);
  expect(s.getSection('INBOX', 1, '2')?.toString()).toContain(blob.toString('base64').slice(0, 76));
  expect(s.storageStats()).toMatchObject({ contents: 2, attachments: 1 });
  expect(s.storageStats().attachmentBytes).toBeGreaterThan(blob.length);
  s.store('INBOX', [1, 2], { mode: 'add', flags: ['\\Deleted'] });
  expect(s.expunge('INBOX', [2])).toEqual([2]);
  expect(s.expunge('INBOX')).toEqual([1]);
  expect(s.listMessages('INBOX')).toEqual([]);
  expect(s.getRaw('Archive', 1)?.equals(a)).toBe(true);
  expect(s.quota().usedBytes).toBe(a.length);
  expect(s.storageStats()).toMatchObject({ contents: 1, attachments: 1 });
  s.store('Archive', [1], { mode: 'add', flags: ['\\Deleted'] });
  s.expunge('Archive');
  expect(s.quota().usedBytes).toBe(0);
  expect(s.storageStats()).toEqual({ contents: 0, attachments: 0, attachmentBytes: 0 });
});

test('quota: an append over the limit fails with QuotaExceededError and stores nothing', async () => {
  const big = textMessage({ body: 'x'.repeat(150_000) });
  await s.append('INBOX', big);
  await expect(s.append('INBOX', big)).rejects.toBeInstanceOf(QuotaExceededError);
  expect(() => s.copy('INBOX', [1], 'Archive')).toThrow(QuotaExceededError);
  expect(s.status('INBOX').messages).toBe(1);
  expect(s.quota()).toEqual({ usedBytes: big.length, limitBytes: 200_000, usedMessages: 1, limitMessages: null });
});

test('getSection with partial ranges', async () => {
  const raw = textMessage({ body: 'abcdefghij' });
  await s.append('INBOX', raw);
  expect(s.getSection('INBOX', 1, '')?.equals(raw)).toBe(true);
  expect(s.getSection('INBOX', 1, 'TEXT')?.toString()).toBe('abcdefghij\r\n');
  expect(s.getSection('INBOX', 1, 'TEXT', { start: 2, length: 3 })?.toString()).toBe('cde');
  expect(s.getSection('INBOX', 1, 'TEXT', { start: 100 })?.length).toBe(0);
  expect(s.getSection('INBOX', 1, 'HEADER.FIELDS (SUBJECT)')?.toString()).toBe('Subject: Test message\r\n\r\n');
  expect(s.getSection('INBOX', 1, '5')).toBeNull();
  expect(s.getSection('INBOX', 9, '')).toBeNull();
});

test('a cached listing follows changes made through another handle (another process)', async () => {
  for (let i = 0; i < 6; i++) await s.append('INBOX', textMessage({ subject: `l${i}` }));
  const first = s.listMessages('INBOX');
  expect(first.map((m) => m.uid)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(Object.isFrozen(first[0])).toBe(true);
  const other = await t.another().open('m', 'pw');
  other.store('INBOX', [2, 4], { mode: 'add', flags: ['\\Deleted'] });
  other.expunge('INBOX', [2]);
  other.store('INBOX', [5], { mode: 'add', flags: ['Later'] });
  await other.append('INBOX', textMessage({ subject: 'l6' }));
  other.move('INBOX', [1], 'Archive');
  const fresh = other.listMessages('INBOX');
  other.close();
  const patched = s.listMessages('INBOX');
  expect(patched.map((m) => m.uid)).toEqual([3, 4, 5, 6, 7]);
  expect(patched).toEqual(fresh);
  expect(patched.find((m) => m.uid === 5)?.flags).toEqual(['Later']);
  expect(s.listMessages('INBOX')).toEqual(fresh);
});

test('listing facts (UIDs, keywords in use, first unseen) follow changes from another handle', async () => {
  expect(s.listingFacts('INBOX')).toEqual({ uids: [], keywords: [], firstUnseen: 0 });
  for (let i = 0; i < 5; i++) await s.append('INBOX', textMessage({ subject: `f${i}` }), { flags: ['\\Seen'] });
  await s.append('INBOX', textMessage(), { flags: ['\\Seen', '$Work'] });
  expect(s.listingFacts('INBOX')).toEqual({ uids: [1, 2, 3, 4, 5, 6], keywords: ['$Work'], firstUnseen: 0 });
  const other = await t.another().open('m', 'pw');
  other.store('INBOX', [3], { mode: 'remove', flags: ['\\Seen'] });
  other.store('INBOX', [2], { mode: 'add', flags: ['Later', '$Work'] });
  other.store('INBOX', [1], { mode: 'add', flags: ['\\Deleted'] });
  other.expunge('INBOX');
  other.close();
  const facts = s.listingFacts('INBOX');
  expect(facts).toEqual({ uids: [2, 3, 4, 5, 6], keywords: ['Later', '$Work'], firstUnseen: 2 });
  // Unchanged folder: the same facts, not worked out again.
  expect(s.listingFacts('INBOX')).toBe(facts);
});

test('\\Recent is claimed once and a later arrival by the next claim, through an index of the recent rows only', async () => {
  await s.append('INBOX', textMessage());
  await s.append('INBOX', textMessage());
  expect(s.claimRecent('INBOX')).toEqual([1, 2]);
  expect(s.claimRecent('INBOX')).toEqual([]);
  await s.append('INBOX', textMessage());
  expect(s.claimRecent('INBOX')).toEqual([3]);
  expect(s.claimRecent('INBOX')).toEqual([]);
  const paths = mailboxPaths(t.dir, 'm');
  const db = openDatabase(paths.db, await unwrapWithPassword(await readKeyFile(paths.keyFile), 'pw'));
  try {
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT uid FROM messages WHERE folder_id = ? AND recent = 1 ORDER BY uid')
      .all(1) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain('messages_recent');
  } finally {
    db.close();
  }
});

test('getRaw reads by folder path (INBOX in any case); a missing message is null, a missing folder NotFoundError', async () => {
  const raw = textMessage();
  await s.append('INBOX', raw);
  s.createFolder('Work');
  await s.append('Work', textMessage({ subject: 'other' }));
  expect(s.getRaw('INBOX', 1)?.equals(raw)).toBe(true);
  expect(s.getRaw('inbox', 1)?.equals(raw)).toBe(true);
  expect(s.getRaw('Work', 1)?.equals(raw)).toBe(false);
  expect(s.getRaw('INBOX', 2)).toBeNull();
  expect(() => s.getRaw('Nowhere', 1)).toThrow(NotFoundError);
});
