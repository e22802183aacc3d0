import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthenticationError } from '@mailyard/errors';
import { waitFor } from '@mailyard/testkit';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type TestStore, testStore, textMessage } from '../test/fixtures.js';

const CANARY = {
  subject: 'Zebracanary quarterly figures',
  body: 'The launch code is xylophone-canary-4471.',
  from: 'Canary Sender <sender.canary@example.org>',
  to: 'recipient.canary@example.net',
};

let t: TestStore;
beforeEach(async () => {
  t = await testStore();
});
afterEach(() => t.cleanup());

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}

test('database, WAL and spool hold no plaintext of a delivered message', async () => {
  await t.store.createMailbox('canary', 'pw');
  const raw = textMessage(CANARY);
  await t.store.deliver('canary', raw);
  const spoolFiles = (await allFiles(t.dir)).filter((f) => f.endsWith('.sealed'));
  expect(spoolFiles).toHaveLength(1);
  const needles = ['Zebracanary', 'xylophone-canary', 'sender.canary', 'recipient.canary', 'zebracanary'];
  const scan = async (files: string[]) => {
    for (const file of files) {
      const bytes = await readFile(file);
      for (const needle of needles) expect(bytes.includes(needle), `${needle} in ${file}`).toBe(false);
      if (file.endsWith('.db') || file.endsWith('-wal')) {
        expect(bytes.subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
      }
    }
  };
  await scan(spoolFiles);
  const session = await t.store.open('canary', 'pw');
  expect(session.search('INBOX', { key: 'text', value: 'xylophone' })).toHaveLength(1);
  const files = await allFiles(t.dir);
  const wal = files.find((f) => f.endsWith('.db-wal'));
  expect(wal && (await stat(wal)).size).toBeGreaterThan(0);
  expect(files.some((f) => f.endsWith('.db'))).toBe(true);
  await scan(files);
  session.close();
});

test('a wrong password fails and changes nothing', async () => {
  await t.store.createMailbox('m', 'right');
  await t.store.deliver('m', textMessage());
  await new Promise((r) => setTimeout(r, 20));
  const before = new Map<string, Buffer>();
  for (const f of await allFiles(t.dir)) before.set(f, await readFile(f));
  await expect(t.store.open('m', 'wrong')).rejects.toBeInstanceOf(AuthenticationError);
  await expect(t.store.changePassword('m', 'wrong', 'new')).rejects.toBeInstanceOf(AuthenticationError);
  const after = await allFiles(t.dir);
  expect(after.sort()).toEqual([...before.keys()].sort());
  for (const f of after) expect((await readFile(f)).equals(before.get(f) as Buffer), f).toBe(true);
});

test('password change rewraps: mail stays readable, the old password fails', async () => {
  await t.store.createMailbox('m', 'old');
  const raw = textMessage({ subject: 'kept' });
  await t.store.deliver('m', raw);
  const s1 = await t.store.open('m', 'old');
  s1.close();
  await t.store.changePassword('m', 'old', 'new');
  await expect(t.store.open('m', 'old')).rejects.toBeInstanceOf(AuthenticationError);
  const s2 = await t.store.open('m', 'new');
  expect(s2.getRaw('INBOX', 1)?.equals(raw)).toBe(true);
  s2.close();
});

test('a password changed by another process invalidates this process login cache', async () => {
  await t.store.createMailbox('m', 'old');
  const held = await t.store.open('m', 'old');
  await t.another().changePassword('m', 'old', 'new');
  await expect(t.store.open('m', 'old')).rejects.toBeInstanceOf(AuthenticationError);
  const again = await t.store.open('m', 'new');
  again.close();
  held.close();
});

test('the recovery key resets the password', async () => {
  const { recoveryKey, publicKey } = await t.store.createMailbox('m', 'forgotten', { recoveryKey: true });
  expect(Buffer.from(publicKey, 'base64')).toHaveLength(32);
  expect(recoveryKey).toMatch(/^([0-9a-f]{8}-){7}[0-9a-f]{8}$/);
  await t.store.deliver('m', textMessage({ subject: 'recover me' }));
  await expect(t.store.resetPassword('m', 'ffffffff'.repeat(8), 'x')).rejects.toBeInstanceOf(AuthenticationError);
  await t.store.resetPassword('m', recoveryKey as string, 'fresh');
  await expect(t.store.open('m', 'forgotten')).rejects.toBeInstanceOf(AuthenticationError);
  const s = await t.store.open('m', 'fresh');
  expect(s.status('INBOX').messages).toBe(1);
  s.close();
});

test('sessions share one handle; the handle closes after the grace period and keys are dropped', async () => {
  await t.store.createMailbox('m', 'pw');
  const a = await t.store.open('m', 'pw');
  const b = await t.store.open('m', 'pw');
  a.createFolder('Shared');
  expect(b.getFolder('Shared')).not.toBeNull();
  a.close();
  b.close();
  await waitFor(() => !t.store.isOpen('m'));
  expect(() => b.listFolders()).toThrow(/closed/);
  const c = await t.store.open('m', 'pw');
  expect(c.getFolder('Shared')).not.toBeNull();
  c.close();
});

test('unknown mailbox: open is an authentication failure, deliver is not found', async () => {
  await expect(t.store.open('nobody', 'x')).rejects.toBeInstanceOf(AuthenticationError);
  await expect(t.store.deliver('nobody', textMessage())).rejects.toThrow(/No mailbox/);
  expect(t.store.exists('nobody')).toBe(false);
});

test('change events carry folder names sealed: on disk nothing, to a holder of the mailbox the name', async () => {
  await t.store.createMailbox('m', 'pw');
  const other = t.another();
  const received: string[] = [];
  const heldThere = await other.open('m', 'pw');
  other.notifier.subscribe('m', (e) => received.push(`${e.kind}:${e.folder}`));
  const keyless: string[] = [];
  t.another().notifier.subscribe('m', (e) => keyless.push(`${e.kind}:${e.folder}`));
  const s = await t.store.open('m', 'pw');
  s.createFolder('Hidden Orchid');
  await s.append('Hidden Orchid', textMessage());
  await s.append('INBOX', textMessage());
  await waitFor(() => received.length >= 3 && keyless.length >= 3);
  expect(received).toEqual(['folder:Hidden Orchid', 'added:Hidden Orchid', 'added:INBOX']);
  expect(keyless).toEqual(['folder:', 'added:', 'added:INBOX']);
  for (const file of await allFiles(t.dir)) expect((await readFile(file)).includes('Hidden Orchid'), file).toBe(false);
  s.close();
  heldThere.close();
});
