import { randomBytes } from 'node:crypto';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { SqliteControlStore } from '@mailyard/control';
import { ValidationError } from '@mailyard/errors';
import { Mailstore } from '@mailyard/mailstore';
import { Teardown, tempDir } from '@mailyard/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { listBackups, makeBackup } from '../src/backups/make-backup.js';
import { restoreBackup } from '../src/backups/restore-backup.js';

const KDF = { N: 1024 };
const masterKey = randomBytes(32);
const teardown = new Teardown();
afterEach(() => teardown.run());

function message(subject: string, body = 'hello'): Buffer {
  return Buffer.from(`From: a@example.org\r\nTo: b@example.com\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);
}

async function dataDir(prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  teardown.defer(() => dir.cleanup());
  return dir.path;
}

function mailstore(dir: string): Mailstore {
  const store = new Mailstore({ dataDir: dir, kdf: KDF, notifyPollMs: 50 });
  teardown.defer(() => store.close());
  return store;
}

async function subjectsIn(dir: string, mailboxId: string, password: string): Promise<string[]> {
  const store = new Mailstore({ dataDir: dir, kdf: KDF });
  try {
    const session = await store.open(mailboxId, password);
    const subjects = session
      .listMessages('INBOX')
      .map((m) => /Subject: (.*)\r\n/.exec(session.getRaw('INBOX', m.uid)?.toString() ?? '')?.[1] ?? '');
    session.close();
    return subjects;
  } finally {
    await store.close();
  }
}

describe('backup and restore', () => {
  test('a live mailbox and control store are copied still encrypted and read back with the password', async () => {
    const live = await dataDir('mailyard-backup-live-');
    const control = new SqliteControlStore({ dataDir: live, masterKey, scryptCost: { N: 1024, r: 8, p: 1 } });
    teardown.defer(() => control.close());
    await control.createAccount({ email: 'owner@example.org', password: 'pw' });

    const store = mailstore(live);
    await store.createMailbox('box1', 'correct horse');
    await store.deliver('box1', message('first', 'zebra-canary body'));
    await store.deliver('box1', message('second'));
    const session = await store.open('box1', 'correct horse');
    expect(session.listMessages('INBOX')).toHaveLength(2);
    // A delivery that stays sealed in the spool: another store instance, nobody drains it.
    const spoolOnly = new Mailstore({ dataDir: live, kdf: KDF });
    await spoolOnly.createMailbox('box2', 'other pw');
    await spoolOnly.deliver('box2', message('waiting in spool'));
    await spoolOnly.close();

    const report = await makeBackup({ dataDir: live, retentionCount: 3 });
    session.close();
    expect(report).toMatchObject({ mailboxes: 2, skipped: [] });
    const files = await readdir(join(report.dir, 'mailboxes'), { recursive: true });
    expect(files.some((f) => f.endsWith('.db'))).toBe(true);
    for (const file of (await readdir(report.dir, { recursive: true })).filter((f) => /\.db(-wal)?$/.test(f))) {
      const bytes = await readFile(join(report.dir, file));
      expect(bytes.subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
      expect(bytes.includes('zebra-canary')).toBe(false);
    }

    const restored = await dataDir('mailyard-backup-restored-');
    const result = await restoreBackup(report.dir, restored);
    expect(result).toMatchObject({ mailboxes: 2, controlStore: true });
    expect(await subjectsIn(restored, 'box1', 'correct horse')).toEqual(['first', 'second']);
    expect(await subjectsIn(restored, 'box2', 'other pw')).toEqual(['waiting in spool']);
    const restoredControl = new SqliteControlStore({ dataDir: restored, masterKey });
    teardown.defer(() => restoredControl.close());
    expect((await restoredControl.findAccountByEmail('owner@example.org'))?.email).toBe('owner@example.org');
  });

  test('copies made while a session keeps appending are consistent at some commit', async () => {
    const live = await dataDir('mailyard-backup-busy-');
    const store = mailstore(live);
    await store.createMailbox('busy', 'pw');
    const session = await store.open('busy', 'pw');
    let appended = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await session.append('INBOX', message(`m${appended}`, 'x'.repeat(4000)));
        appended += 1;
        // Each append blocks this event loop for its fsync; the pause lets the backup (in production another
        // process) make progress, while still writing over 100 messages a second into one mailbox, which
        // checkpoints and restarts its WAL every second or so.
        await delay(2);
      }
    })();
    const reports = [];
    for (let i = 0; i < 4; i++) {
      await delay(200);
      const before = appended;
      const report = await makeBackup({ dataDir: live, retentionCount: 10, now: () => new Date(Date.now() + i) });
      reports.push({ report, before });
    }
    writing = false;
    await writer;
    session.close();
    for (const { report, before } of reports) {
      expect(report.skipped).toEqual([]);
      const restored = await dataDir('mailyard-backup-busy-restored-');
      await restoreBackup(report.dir, restored);
      const subjects = await subjectsIn(restored, 'busy', 'pw');
      expect(subjects.length).toBeGreaterThanOrEqual(before);
      expect(subjects).toEqual(subjects.map((_, n) => `m${n}`));
    }
  });

  test('keeps retentionCount backups and refuses to restore a damaged one', async () => {
    const live = await dataDir('mailyard-backup-retention-');
    const store = mailstore(live);
    await store.createMailbox('m', 'pw');
    const times = [1, 2, 3].map((n) => new Date(Date.UTC(2026, 0, n)));
    const reports = [];
    for (const at of times) reports.push(await makeBackup({ dataDir: live, retentionCount: 2, now: () => at }));
    expect(await listBackups(join(live, 'backups'))).toEqual(['20260102T000000-000Z', '20260103T000000-000Z']);
    expect(reports[2]?.pruned).toEqual(['20260101T000000-000Z']);
    const last = reports[2]?.dir ?? '';
    const [keyFile] = (await readdir(last, { recursive: true })).filter((f) => f.endsWith('.keys.json'));
    await appendFile(join(last, keyFile ?? ''), ' ');
    const target = await dataDir('mailyard-backup-damaged-');
    await expect(restoreBackup(last, target)).rejects.toBeInstanceOf(ValidationError);
    expect(await readdir(target)).toEqual([]);
  });
});
