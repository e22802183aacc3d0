import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dataPaths } from '@mailyard/config';
import { tempDir } from '@mailyard/testkit';
import { afterEach, expect, test } from 'vitest';
import { cleanupAreas, cleanupTmp } from '../src/tmp-cleanup.js';

const HOUR = 3600_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function file(path: string, bytes: number, ageMs: number): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, Buffer.alloc(bytes, 1));
  const at = new Date(Date.now() - ageMs);
  await utimes(path, at, at);
}

async function age(path: string, ageMs: number): Promise<void> {
  const at = new Date(Date.now() - ageMs);
  await utimes(path, at, at);
}

async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

test('removes only temp files, upload leftovers, profiles and spool leftovers past their retention', async () => {
  const dir = await tempDir('mailyard-cleanup-');
  cleanups.push(dir.cleanup);
  const paths = dataPaths({ dataDir: dir.path });
  await file(join(paths.tmp, 'old.eml'), 1000, 25 * HOUR);
  await file(join(paths.tmp, 'fresh.eml'), 10, 1 * HOUR);
  await file(join(paths.tmp, 'uploads', 'abandoned.part'), 500, 30 * HOUR);
  await age(join(paths.tmp, 'uploads'), 30 * HOUR);
  await file(join(paths.tmp, 'busy', 'new.part'), 20, 0);
  await file(join(paths.profiles, 'imap-1-20260101T000000-000Z.heapsnapshot'), 300, 48 * HOUR);
  await file(join(paths.profiles, 'imap-1-20260102T000000-000Z.cpuprofile'), 200, 2 * HOUR);
  await file(join(paths.profiles, 'notes.txt'), 7, 100 * HOUR);
  await file(join(paths.spool, 'ab', 'box', '.batch.tmp'), 50, 26 * HOUR);
  await file(join(paths.spool, 'ab', 'box', '1-2-3.sealed'), 60, 100 * HOUR);

  const areas = cleanupAreas(paths, { tmpMs: 24 * HOUR, profilesMs: 24 * HOUR });
  const report = await cleanupTmp(areas);

  expect(report).toEqual({ files: 4, bytes: 1000 + 500 + 300 + 50, directories: 1 });
  expect(await tree(paths.tmp)).toEqual(['busy', 'busy/new.part', 'fresh.eml']);
  expect(await tree(paths.profiles)).toEqual(['imap-1-20260102T000000-000Z.cpuprofile', 'notes.txt']);
  expect(await tree(paths.spool)).toEqual(['ab', 'ab/box', 'ab/box/1-2-3.sealed']);
  expect(await cleanupTmp(areas)).toEqual({ files: 0, bytes: 0, directories: 0 });
});

test('a missing directory is nothing to clean', async () => {
  const dir = await tempDir('mailyard-cleanup-empty-');
  cleanups.push(dir.cleanup);
  const areas = cleanupAreas(dataPaths({ dataDir: join(dir.path, 'absent') }), { tmpMs: HOUR, profilesMs: HOUR });
  expect(await cleanupTmp(areas)).toEqual({ files: 0, bytes: 0, directories: 0 });
});
