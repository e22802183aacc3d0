import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { smallFilesystem } from '@mailyard/testkit';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { TEST_KDF, type TestStore, testStore, textMessage } from '../test/fixtures.js';
import { readKeyFile } from './keys.js';
import { Mailstore } from './mailstore.js';
import { mailboxPaths } from './paths.js';
import { batchName, frameRecords, openRecord, privateKeyObject, publicKeyObject, sealRecord } from './spool.js';

let t: TestStore;
beforeEach(async () => {
  t = await testStore();
  await t.store.createMailbox('m', 'pw');
});
afterEach(() => t.cleanup());

test('a sealed record opens only with the matching private key and detects tampering', () => {
  const pair = generateKeyPairSync('x25519');
  const publicB64 = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
  const privateRaw = Buffer.from(pair.privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  const raw = Buffer.from('Subject: sealed\r\n\r\nsecret body\r\n');
  const sealed = sealRecord(publicKeyObject(publicB64), { meta: { id: 'r1', internalDate: 5 }, raw });
  expect(sealed.includes('secret body')).toBe(false);
  const priv = privateKeyObject(privateRaw, publicB64);
  const pubRaw = Buffer.from(publicB64, 'base64');
  const opened = openRecord(priv, pubRaw, sealed);
  expect(opened?.meta).toEqual({ id: 'r1', internalDate: 5 });
  expect(opened?.raw.equals(raw)).toBe(true);
  const tampered = Buffer.from(sealed);
  tampered[40] = (tampered[40] ?? 0) ^ 1;
  expect(openRecord(priv, pubRaw, tampered)).toBeNull();
});

test('drain is idempotent after a crash between commit and spool removal', async () => {
  const spoolDir = mailboxPaths(t.dir, 'm').spoolDir;
  const raws = Array.from({ length: 5 }, (_, i) => textMessage({ subject: `spooled ${i}`, messageId: `s${i}` }));
  for (const raw of raws) await t.store.deliver('m', raw, { flags: ['\\Flagged'] });
  const backup = join(t.dir, 'spool-backup');
  await cp(spoolDir, backup, { recursive: true });
  expect((await readdir(spoolDir)).filter((n) => n.endsWith('.sealed'))).toHaveLength(5);

  const first = await t.store.open('m', 'pw');
  expect(first.status('INBOX').messages).toBe(5);
  expect(await readdir(spoolDir)).toEqual([]);
  first.close();

  await rm(spoolDir, { recursive: true });
  await cp(backup, spoolDir, { recursive: true });
  await mkdir(spoolDir, { recursive: true });
  await writeFile(join(spoolDir, '.0000000000-1-abc.tmp'), 'torn write of a killed writer');
  const other = t.another();
  const second = await other.open('m', 'pw');
  expect(await second.drainSpool()).toBe(0);
  const list = second.listMessages('INBOX');
  expect(list).toHaveLength(5);
  expect(list.every((m) => m.flags.includes('\\Flagged'))).toBe(true);
  for (const [i, m] of list.entries()) expect(second.getRaw('INBOX', m.uid)?.equals(raws[i] as Buffer)).toBe(true);
  expect((await readdir(spoolDir)).filter((n) => n.endsWith('.sealed'))).toEqual([]);
  second.close();
});

test('deliver honours a target folder and falls back to INBOX when it is gone', async () => {
  await t.store.deliver('m', textMessage({ subject: 'to sent' }), { folder: 'Sent', flags: ['\\Seen'] });
  await t.store.deliver('m', textMessage({ subject: 'to nowhere' }), { folder: 'Nowhere' });
  const s = await t.store.open('m', 'pw');
  expect(s.listMessages('Sent')[0]?.flags).toEqual(['\\Seen']);
  expect(s.status('INBOX').messages).toBe(1);
  s.close();
});

test('a record asking to create its folder makes it (with parents) and files there, keywords kept', async () => {
  await t.store.deliver('m', textMessage({ subject: 'lists' }), {
    folder: 'Lists/Sieve',
    createFolder: true,
    flags: ['\\Flagged', '$Work'],
  });
  await t.store.deliver('m', textMessage({ subject: 'bad name' }), { folder: 'a//b', createFolder: true });
  const s = await t.store.open('m', 'pw');
  expect(s.listFolders().map((f) => f.path)).toEqual(expect.arrayContaining(['Lists', 'Lists/Sieve']));
  expect(s.listMessages('Lists/Sieve')[0]?.flags).toEqual(expect.arrayContaining(['\\Flagged', '$Work']));
  expect(s.status('INBOX').messages).toBe(1);
  s.close();
});

test('a record written before folder fields existed (id and internalDate only) drains into INBOX', async () => {
  const { publicKey } = await readKeyFile(mailboxPaths(t.dir, 'm').keyFile);
  const raw = textMessage({ subject: 'old format' });
  const sealed = sealRecord(publicKeyObject(publicKey), { meta: { id: 'old1', internalDate: 1_000_000 }, raw });
  const spoolDir = mailboxPaths(t.dir, 'm').spoolDir;
  await mkdir(spoolDir, { recursive: true });
  await writeFile(join(spoolDir, '0000000001-1-old.sealed'), frameRecords([sealed]));
  const s = await t.store.open('m', 'pw');
  const [only] = s.listMessages('INBOX');
  expect(s.getRaw('INBOX', only?.uid ?? 0)?.equals(raw)).toBe(true);
  s.close();
});

test('concurrent deliveries to one mailbox share group commits', async () => {
  await Promise.all(Array.from({ length: 40 }, (_, i) => t.store.deliver('m', textMessage({ subject: `c${i}` }))));
  const batches = (await readdir(mailboxPaths(t.dir, 'm').spoolDir)).filter((n) => n.endsWith('.sealed'));
  expect(batches.length).toBeLessThan(40);
  const s = await t.store.open('m', 'pw');
  expect(s.status('INBOX').messages).toBe(40);
  s.close();
});

test('batch names sort in the order they were made, many within one millisecond (drain order = delivery order)', () => {
  const names = Array.from({ length: 1000 }, () => batchName());
  expect(new Set(names.map((n) => n.split('-')[0])).size).toBeLessThan(100);
  expect([...names].sort()).toEqual(names);
});

test('deleteMailbox removes keys, database and spool', async () => {
  await t.store.deliver('m', textMessage());
  const s = await t.store.open('m', 'pw');
  s.close();
  await t.store.deleteMailbox('m');
  expect(t.store.exists('m')).toBe(false);
  const paths = mailboxPaths(t.dir, 'm');
  const shardFiles = await readdir(join(paths.db, '..'));
  expect(shardFiles.filter((f) => f.startsWith('m.'))).toEqual([]);
  await expect(t.store.deliver('m', textMessage())).rejects.toThrow(/No mailbox/);
});

test('the drain stores acknowledged mail past the quota: the MX enforces it before its 250', async () => {
  const small = t.another({ quotaBytes: 3000 });
  await small.deliver('m', textMessage({ subject: 'fits', body: 'x'.repeat(2000) }));
  const s = await small.open('m', 'pw');
  await small.deliver('m', textMessage({ subject: 'past the quota', body: 'y'.repeat(2000) }));
  expect(await s.drainSpool()).toBe(1);
  expect(s.status('INBOX').messages).toBe(2);
  expect(s.quota().usedBytes).toBeGreaterThan(3000);
  expect((await readdir(mailboxPaths(t.dir, 'm').spoolDir)).filter((n) => n.endsWith('.sealed'))).toEqual([]);
  // An APPEND is still refused over the quota.
  await expect(s.append('INBOX', textMessage({ subject: 'appended' }))).rejects.toThrow(/over its storage quota/);
  s.close();
});

test('spoolUsage counts the sealed entries not yet drained', async () => {
  expect(await t.store.spoolUsage('m')).toEqual({ bytes: 0, files: 0 });
  await t.store.deliver('m', textMessage({ body: 'z'.repeat(2000) }));
  await t.store.deliver('m', textMessage({ body: 'w'.repeat(3000) }));
  const spooled = await t.store.spoolUsage('m');
  expect(spooled.bytes).toBeGreaterThan(5000);
  expect(spooled.files).toBeGreaterThanOrEqual(1);
  const s = await t.store.open('m', 'pw');
  expect(s.status('INBOX').messages).toBe(2);
  expect(await t.store.spoolUsage('m')).toEqual({ bytes: 0, files: 0 });
  s.close();
});
test('a batch write that fails on a full disk leaves no temporary file behind', async () => {
  await using fs = await smallFilesystem(2 * 1024 * 1024);
  if (!fs) return;
  const store = new Mailstore({ dataDir: fs.dir, kdf: TEST_KDF, idleCloseMs: 20, notifyPollMs: 50 });
  try {
    await store.createMailbox('m', 'pw');
    const spoolDir = mailboxPaths(fs.dir, 'm').spoolDir;
    await store.deliver('m', textMessage({ subject: 'fits' }));
    await fs.fill();
    const big = textMessage({ body: 'x'.repeat(256 * 1024) });
    await expect(store.deliver('m', big)).rejects.toMatchObject({ code: 'ENOSPC' });
    const names = await readdir(spoolDir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names.filter((n) => n.endsWith('.sealed'))).toHaveLength(1);
  } finally {
    await store.close();
  }
});

test('a temporary file whose writer is gone is removed at the next drain; a live writer keeps its file', async () => {
  const spoolDir = mailboxPaths(t.dir, 'm').spoolDir;
  await mkdir(spoolDir, { recursive: true });
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
  const dead = `.${Date.now().toString(36).padStart(10, '0')}-${deadPid}-aaaaaa.tmp`;
  const live = `.${Date.now().toString(36).padStart(10, '0')}-${process.pid}-bbbbbb.tmp`;
  await writeFile(join(spoolDir, dead), 'left by a writer killed mid-batch');
  await writeFile(join(spoolDir, live), 'being written right now');
  const session = await t.store.open('m', 'pw');
  session.close();
  expect((await readdir(spoolDir)).sort()).toEqual([live]);
});
