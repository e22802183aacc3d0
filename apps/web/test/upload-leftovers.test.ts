/**
 * The dashboard's leftovers of a process that died mid-import: scratch directories under tmp/uploads (an upload
 * and a zip unpacked beside it) and tmp/backups (an encrypted copy being downloaded) named for a real process that
 * has exited are removed when the dashboard's job tracker is created (as the dashboard app does when it starts),
 * logged with counts and bytes only; the directories of a real live process (another instance) stay as they are.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { captureLog, type TempDir, tempDir, waitFor } from '@mailyard/testkit';
import { scratchDir } from '@mailyard/transfer';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { scratchBases, TransferJobs } from '../src/transfer-jobs.js';

function node(script: string): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return { child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
}

describe('dashboard uploads of a stopped process', () => {
  let dir: TempDir;
  let live: { child: ChildProcess; exited: Promise<void> };

  beforeEach(async () => {
    dir = await tempDir('mailyard-web-leftovers-');
    live = node('setInterval(() => {}, 60_000)');
  });
  afterEach(async () => {
    live.child.kill('SIGKILL');
    await live.exited;
    await dir.cleanup();
  });

  test('removed when the tracker is created, a live process directory untouched', async () => {
    const { uploads, copies } = scratchBases(dir.path);
    const [host, boot, ns] = basename(scratchDir(uploads)).split('-');
    const gone = node('');
    await gone.exited;
    const deadName = `${host}-${boot}-${ns}-${gone.child.pid}-1`;
    await mkdir(join(uploads, deadName, '.mailyard-maildir-y'), { recursive: true });
    await writeFile(join(uploads, deadName, '0123abcd'), 'Subject: plaintext\r\n\r\nbody\r\n');
    await writeFile(join(uploads, deadName, '.mailyard-maildir-y', 'msg'), 'Subject: plaintext\r\n\r\nbody\r\n');
    await mkdir(join(copies, deadName, '.mailyard-copy-z'), { recursive: true });
    await writeFile(join(copies, deadName, '.mailyard-copy-z', 'key'), 'wrapped key');
    const pid = live.child.pid as number;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const liveName = `${host}-${boot}-${ns}-${pid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
    await mkdir(join(uploads, liveName), { recursive: true });
    await writeFile(join(uploads, liveName, '4567cdef'), 'held by a live instance');

    const log = captureLog({ level: 'info' });
    const jobs = new TransferJobs(dir.path, log.logger);
    try {
      const line = await waitFor(
        () => log.lines.find((l) => l.msg === 'dashboard uploads of stopped processes removed') ?? null,
      );
      expect(line).toMatchObject({ directories: 2, files: 3, bytes: 28 + 28 + 11 });
      expect(log.text).not.toContain('plaintext');
      expect(existsSync(join(uploads, deadName))).toBe(false);
      expect(existsSync(join(copies, deadName))).toBe(false);
      expect(await readdir(join(uploads, liveName))).toEqual(['4567cdef']);
    } finally {
      await jobs.close();
    }
  });
});
