/**
 * Per-process scratch directories over a real temp dir with real child processes: a process killed with SIGKILL
 * while holding an upload and its unpacked Maildir zip leaves them behind, and the next tracker created over the
 * same directory removes them (reporting files and bytes), while another live process's directory and this
 * process's own stay untouched. The naming rules: a pid alive with another start time and a previous boot are gone,
 * another host or PID namespace is never judged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type TempDir, tempDir, tsxLoader, waitFor } from '@mailyard/testkit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ensureScratchDir, removeGoneScratch, type ScratchReport, scratchDir, TransferJobs } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

/** Every file under `dir` with its size, by relative path. */
async function filesUnder(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out.set(full.slice(dir.length), (await lstat(full)).size);
  }
  return out;
}

describe('per-process scratch directories', () => {
  let dir: TempDir;
  let base: string;
  const children: { child: ChildProcess; exited: Promise<void> }[] = [];

  async function holder(): Promise<{ child: ChildProcess; exited: Promise<void>; scratch: string }> {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', tsxLoader(), join(here, 'scratch-child.ts'), base],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    children.push({ child, exited });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).on('line', (l) => {
        if (l.startsWith('ready ')) resolve(l);
      });
      child.once('exit', () => reject(new Error('the child exited before it was ready')));
    });
    const [, scratch = '', kind] = line.split(' ');
    expect(kind).toBe('maildir-zip');
    return { child, exited, scratch };
  }

  beforeEach(async () => {
    dir = await tempDir('mailyard-scratch-');
    base = join(dir.path, 'tmp', 'imports');
  });
  afterEach(async () => {
    for (const { child, exited } of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    await dir.cleanup();
  });

  test('a SIGKILLed holder leaves its upload and unpacked zip; the next tracker removes them, never a live one', async () => {
    const dead = await holder();
    const live = await holder();
    expect(dead.scratch).not.toBe(live.scratch);
    const deadFiles = await filesUnder(dead.scratch);
    expect([...deadFiles.keys()].some((f) => f.startsWith('/.mailyard-maildir-'))).toBe(true);
    expect(deadFiles.has('/upload-child')).toBe(true);
    const liveFiles = await filesUnder(live.scratch);
    const mine = await ensureScratchDir(base);
    await writeFile(join(mine, 'upload-mine'), 'held by this process');

    // Both alive: nothing is theirs to remove.
    expect(await removeGoneScratch([base])).toEqual({ directories: 0, files: 0, bytes: 0 });

    dead.child.kill('SIGKILL');
    await dead.exited;
    expect(existsSync(join(dead.scratch, 'upload-child'))).toBe(true);

    const reports: ScratchReport[] = [];
    const jobs = new TransferJobs({ dataDir: dir.path, scratch: [base], onCleanup: (r) => reports.push(r) });
    try {
      const report = await waitFor(() => reports[0] ?? null, 20_000);
      expect(report).toEqual({
        directories: 1,
        files: deadFiles.size,
        bytes: [...deadFiles.values()].reduce((a, b) => a + b, 0),
      });
      expect(existsSync(dead.scratch)).toBe(false);
      expect(await filesUnder(live.scratch)).toEqual(liveFiles);
      expect(readFileSync(join(mine, 'upload-mine'), 'utf8')).toBe('held by this process');
    } finally {
      await jobs.close();
    }
  }, 60_000);

  test('a live pid with another start time and a previous boot are gone; another host or namespace is not judged', async () => {
    const own = basename(scratchDir(base));
    const [host = '', boot = '', ns = '', pid = '', start = ''] = own.split('-');
    expect(own).toMatch(/^[0-9a-f]{8}-[0-9a-f]{12}-\d+-\d+-\d+$/); // Linux: the boot id and start ticks are read
    const names = {
      reusedPid: `${host}-${boot}-${ns}-${pid}-${Number(start) + 1}`,
      previousBoot: `${host}-${'a'.repeat(12) === boot ? 'b'.repeat(12) : 'a'.repeat(12)}-${ns}-${pid}-${start}`,
      otherHost: `${host === '00000000' ? '11111111' : '00000000'}-${boot}-${ns}-99999999-1`,
      otherNamespace: `${host}-${boot}-${Number(ns) + 1}-99999999-1`,
      notScratch: 'upload-0123456789abcdef01234567',
    };
    for (const name of Object.values(names)) {
      await mkdir(join(base, name), { recursive: true });
      await writeFile(join(base, name, 'upload'), 'mail');
    }
    await ensureScratchDir(base);
    expect(await removeGoneScratch([base])).toEqual({ directories: 2, files: 2, bytes: 8 });
    expect((await readdir(base)).sort()).toEqual([own, names.otherHost, names.otherNamespace, names.notScratch].sort());
  });
});
