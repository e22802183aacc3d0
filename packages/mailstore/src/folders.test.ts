import { ConflictError, NotFoundError, ValidationError } from '@mailyard/errors';
import { expect } from 'vitest';
import { mailboxTest as test, textMessage } from '../test/fixtures.js';

test('default folders carry RFC 6154 special-use attributes', ({ s }) => {
  const folders = Object.fromEntries(s.listFolders().map((f) => [f.path, f.specialUse]));
  expect(folders).toEqual({
    INBOX: null,
    Drafts: '\\Drafts',
    Sent: '\\Sent',
    Archive: '\\Archive',
    Junk: '\\Junk',
    Trash: '\\Trash',
  });
  expect(s.getFolder('inbox')?.path).toBe('INBOX');
});

test('create makes missing parents, rejects duplicates and INBOX, validates names', ({ s }) => {
  s.createFolder('Projects/2026/Q1');
  expect(s.getFolder('Projects')).not.toBeNull();
  expect(s.getFolder('Projects/2026')).not.toBeNull();
  expect(() => s.createFolder('Projects/2026/Q1')).toThrow(ConflictError);
  expect(() => s.createFolder('Inbox')).toThrow(ConflictError);
  expect(() => s.createFolder('bad//name')).toThrow(ValidationError);
  expect(() => s.createFolder('/lead')).toThrow(ValidationError);
});

test('rename moves children and keeps messages; a recreated name gets a new UIDVALIDITY', async ({ s }) => {
  s.createFolder('Work/Old');
  await s.append('Work/Old', textMessage({ subject: 'kept' }));
  const before = s.getFolder('Work') as { uidValidity: number };
  s.renameFolder('Work', 'Job');
  expect(s.getFolder('Work')).toBeNull();
  expect(s.getFolder('Work/Old')).toBeNull();
  expect(s.getFolder('Job')?.uidValidity).toBe(before.uidValidity);
  expect(s.status('Job/Old').messages).toBe(1);
  expect(() => s.renameFolder('Job', 'Job/Inside')).toThrow(ValidationError);
  expect(() => s.renameFolder('Nope', 'Other')).toThrow(NotFoundError);
  expect(() => s.renameFolder('Job', 'Sent')).toThrow(ConflictError);
  s.createFolder('Work');
  expect((s.getFolder('Work') as { uidValidity: number }).uidValidity).toBeGreaterThan(before.uidValidity);
});

test('renaming INBOX moves its messages and leaves INBOX empty (RFC 3501 §6.3.5)', async ({ s }) => {
  await s.append('INBOX', textMessage({ subject: 'one' }));
  await s.append('INBOX', textMessage({ subject: 'two' }));
  s.renameFolder('INBOX', 'Old Inbox');
  expect(s.status('INBOX').messages).toBe(0);
  expect(s.status('Old Inbox').messages).toBe(2);
});

test('delete removes the folder and its messages, never INBOX; subscriptions toggle', async ({ s }) => {
  s.createFolder('Tmp');
  await s.append('Tmp', textMessage());
  const used = s.quota().usedBytes;
  expect(used).toBeGreaterThan(0);
  s.deleteFolder('Tmp');
  expect(s.getFolder('Tmp')).toBeNull();
  expect(s.quota().usedBytes).toBe(0);
  expect(() => s.deleteFolder('INBOX')).toThrow(ValidationError);
  s.setSubscribed('Junk', false);
  expect(s.getFolder('Junk')?.subscribed).toBe(false);
});

test('status counts messages, unseen, recent and size', async ({ s }) => {
  const a = textMessage({ subject: 'a', messageId: 'a' });
  const b = textMessage({ subject: 'bb', messageId: 'b' });
  await s.append('INBOX', a, { flags: ['\\Seen'] });
  await s.append('INBOX', b);
  const st = s.status('INBOX');
  expect(st).toMatchObject({ messages: 2, unseen: 1, recent: 2, uidNext: 3 });
  expect(st.size).toBe(a.length + b.length);
  expect(s.claimRecent('INBOX')).toEqual([1, 2]);
  expect(s.status('INBOX').recent).toBe(0);
});

test('DELETE keeps a subscribed name subscribed (RFC 3501 §6.3.6) until UNSUBSCRIBE or a new folder takes it', ({
  s,
}) => {
  s.createFolder('Old');
  s.createFolder('Quiet', { subscribed: false });
  s.deleteFolder('Old');
  s.deleteFolder('Quiet');
  expect(s.orphanSubscriptions()).toEqual(['Old']);
  s.createFolder('Old');
  expect(s.orphanSubscriptions()).toEqual([]);
  expect(s.getFolder('Old')?.subscribed).toBe(true);
  s.deleteFolder('Old');
  // SUBSCRIBE again of the deleted, still subscribed name: accepted, and the name stays subscribed.
  s.setSubscribed('Old', true);
  expect(s.orphanSubscriptions()).toEqual(['Old']);
  s.setSubscribed('Old', false);
  expect(s.orphanSubscriptions()).toEqual([]);
  expect(() => s.setSubscribed('Old', false)).toThrow(NotFoundError);
  expect(() => s.setSubscribed('Never', true)).toThrow(NotFoundError);
  s.createFolder('Gone');
  s.deleteFolder('Gone');
  s.createFolder('Other', { subscribed: false });
  s.renameFolder('Other', 'Gone');
  expect(s.orphanSubscriptions()).toEqual([]);
  expect(s.getFolder('Gone')?.subscribed).toBe(true);
});
