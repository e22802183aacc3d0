import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { recordingLogger } from '../test/fixtures/recording-logger.js';
import { createMonitor } from './monitor.js';
import { profileFileName, pruneProfiles } from './profiles.js';

const HOUR = 3600_000;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mailyard-profiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Creates a file whose modification time lies `ageMs` before `now`. */
async function fileAged(name: string, ageMs: number, now: number, inDir = dir): Promise<void> {
  const file = path.join(inDir, name);
  await writeFile(file, '{}');
  const when = new Date(now - ageMs);
  await utimes(file, when, when);
}

describe('profile retention', () => {
  test('deletes profiles past the age limit and the oldest beyond the count limit, nothing else', async () => {
    const now = Date.now();
    await fileAged('mx-1-a.cpuprofile', 1 * HOUR, now);
    await fileAged('mx-1-b.heapsnapshot', 2 * HOUR, now);
    await fileAged('imap-2-c.cpuprofile', 3 * HOUR, now);
    await fileAged('imap-2-d.heapsnapshot', 4 * HOUR, now);
    await fileAged('api-3-e.cpuprofile', 30 * HOUR, now);
    await fileAged('notes.txt', 90 * HOUR, now);
    await fileAged('imap-2-f.heapsnapshot.tmp', 90 * HOUR, now);
    await fileAged('heapsnapshot.imap.request', 90 * HOUR, now);

    const deleted = await pruneProfiles(dir, { maxFiles: 3, maxAgeMs: 24 * HOUR }, now);

    expect(deleted.map((f) => path.basename(f)).sort()).toEqual(['api-3-e.cpuprofile', 'imap-2-d.heapsnapshot']);
    expect((await readdir(dir)).sort()).toEqual([
      'heapsnapshot.imap.request',
      'imap-2-c.cpuprofile',
      'imap-2-f.heapsnapshot.tmp',
      'mx-1-a.cpuprofile',
      'mx-1-b.heapsnapshot',
      'notes.txt',
    ]);
  });

  test('writing a profile prunes by the monitor retention policy', async () => {
    const profilesDir = path.join(dir, 'profiles');
    const monitor = createMonitor({
      logger: recordingLogger(),
      dataDir: dir,
      processName: 'jobs',
      retention: { maxFiles: 2 },
    });
    await monitor.writeCpuProfile(0.05);
    const now = Date.now();
    await fileAged('old-1-a.cpuprofile', 2 * HOUR, now, profilesDir);
    await fileAged('old-1-b.cpuprofile', 3 * HOUR, now, profilesDir);
    const newest = await monitor.writeCpuProfile(0.05);
    const left = await readdir(profilesDir);
    expect(left).toHaveLength(2);
    expect(left).toContain(path.basename(newest ?? ''));
    expect(left).not.toContain('old-1-a.cpuprofile');
  });

  test('file names carry the process name made file-safe, the pid and a UTC timestamp', () => {
    const at = new Date(Date.UTC(2026, 10, 29, 14, 5, 9, 42));
    expect(profileFileName('imap', '.cpuprofile', at)).toBe(`imap-${process.pid}-20261129T140509-042Z.cpuprofile`);
    expect(profileFileName('my app/1', '.heapsnapshot', at)).toMatch(
      /^my_app_1-\d+-20261129T140509-042Z\.heapsnapshot$/,
    );
  });
});
