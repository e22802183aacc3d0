import { statSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { removeBatch, writeBatch } from './spool.js';
import { SpoolUsage, type SpoolUsageFs } from './spool-usage.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spool-usage-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The real file system, counting listings and file stats (the directory's own stat is the O(1) part). */
function countingFs(): { fs: SpoolUsageFs; calls: { readdir: number; stat: number } } {
  const calls = { readdir: 0, stat: 0 };
  const fs: SpoolUsageFs = {
    readdir: (d) => {
      calls.readdir += 1;
      return readdir(d);
    },
    stat: (p) => {
      calls.stat += 1;
      return stat(p);
    },
    statDir: (d) => statSync(d, { throwIfNoEntry: false }),
  };
  return { fs, calls };
}

/** A batch file of `bytes` written by this process (told to `usage`) or by another one (not told). */
async function write(spoolDir: string, bytes: number, usage?: SpoolUsage): Promise<void> {
  const batch = await writeBatch(spoolDir, [Buffer.alloc(bytes - 4, 1)]);
  expect(batch.bytes).toBe(bytes);
  usage?.noteWritten(spoolDir, batch.name, batch.bytes);
}

async function onDisk(spoolDir: string): Promise<{ bytes: number; files: number }> {
  const names = (await readdir(spoolDir)).filter((n) => n.endsWith('.sealed'));
  const sizes = await Promise.all(names.map(async (n) => (await stat(join(spoolDir, n))).size));
  return { bytes: sizes.reduce((a, b) => a + b, 0), files: names.length };
}

test('a delivery into a spool of any size costs no listing and no file stat while only this process writes', async () => {
  const perSpool: Array<{ readdir: number; stat: number }> = [];
  for (const waiting of [10, 300]) {
    const spoolDir = join(dir, `spool-${waiting}`);
    for (let i = 0; i < waiting; i += 1) await write(spoolDir, 100);
    const { fs, calls } = countingFs();
    const usage = new SpoolUsage({ fs });
    expect(await usage.usage(spoolDir)).toEqual({ bytes: 100 * waiting, files: waiting });
    expect(calls).toEqual({ readdir: 1, stat: waiting });
    // The listing just after the fill may be relisted once (the directory changed in the same mtime tick).
    await write(spoolDir, 200, usage);
    await usage.usage(spoolDir);
    calls.readdir = 0;
    calls.stat = 0;
    // 40 deliveries, each checked before (RCPT) and after (DATA), as the MX does.
    for (let i = 0; i < 40; i += 1) {
      await usage.usage(spoolDir);
      await write(spoolDir, 200, usage);
      expect(await usage.usage(spoolDir)).toEqual(await onDisk(spoolDir));
    }
    perSpool.push({ ...calls });
  }
  expect(perSpool[0]).toEqual({ readdir: 0, stat: 0 });
  expect(perSpool[1]).toEqual(perSpool[0]);
});

test("another process's writes and drains: at once on a small spool, within relistMs on a large one, new names only stat'ed", async () => {
  const small = join(dir, 'small');
  for (let i = 0; i < 5; i += 1) await write(small, 100);
  const { fs, calls } = countingFs();
  let now = 1_000_000;
  const usage = new SpoolUsage({ fs, now: () => now, relistMs: 1000 });
  await usage.usage(small);
  await write(small, 300);
  calls.stat = 0;
  expect(await usage.usage(small)).toEqual({ bytes: 800, files: 6 });
  expect(calls.stat).toBe(1);

  const large = join(dir, 'large');
  for (let i = 0; i < 300; i += 1) await write(large, 100);
  await usage.usage(large);
  calls.readdir = 0;
  calls.stat = 0;
  await write(large, 500);
  const names = (await readdir(large)).filter((n) => n.endsWith('.sealed')).sort();
  await removeBatch(join(large, names[0] as string));
  await removeBatch(join(large, names[1] as string));
  // Within the second: the last listing holds (the drain is not seen yet: a quota check errs on the safe side).
  now += 500;
  expect(await usage.usage(large)).toEqual({ bytes: 30_000, files: 300 });
  expect(calls).toEqual({ readdir: 0, stat: 0 });
  now += 600;
  expect(await usage.usage(large)).toEqual({ bytes: 30_300, files: 299 });
  expect(calls).toEqual({ readdir: 1, stat: 1 });
  expect(await usage.usage(large)).toEqual(await onDisk(large));
  expect(calls).toEqual({ readdir: 1, stat: 1 });
});

test('a listing older than maxAgeMs is redone even when the directory looks unchanged; a missing spool is empty', async () => {
  const spoolDir = join(dir, 'spool');
  const { fs, calls } = countingFs();
  let now = 0;
  const usage = new SpoolUsage({ fs, now: () => now, maxAgeMs: 30_000 });
  expect(await usage.usage(spoolDir)).toEqual({ bytes: 0, files: 0 });
  expect(calls.readdir).toBe(0);
  await write(spoolDir, 100);
  expect(await usage.usage(spoolDir)).toEqual({ bytes: 100, files: 1 });
  expect(calls.readdir).toBe(1);
  await write(spoolDir, 100, usage);
  expect(await usage.usage(spoolDir)).toEqual({ bytes: 200, files: 2 });
  expect(calls.readdir).toBe(1);
  now += 30_000;
  expect(await usage.usage(spoolDir)).toEqual({ bytes: 200, files: 2 });
  expect(calls.readdir).toBe(2);
  await rm(spoolDir, { recursive: true });
  expect(await usage.usage(spoolDir)).toEqual({ bytes: 0, files: 0 });
});

test('checks that need a listing at the same time share one', async () => {
  const spoolDir = join(dir, 'spool');
  for (let i = 0; i < 3; i += 1) await write(spoolDir, 100);
  const { fs, calls } = countingFs();
  const usage = new SpoolUsage({ fs });
  const all = await Promise.all(Array.from({ length: 20 }, () => usage.usage(spoolDir)));
  for (const u of all) expect(u).toEqual({ bytes: 300, files: 3 });
  expect(calls).toEqual({ readdir: 1, stat: 3 });
});
