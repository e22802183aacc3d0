// cleanup-tmp: deletes what is past its retention and reports what it freed.
//   data/tmp/**            temporary files and upload leftovers older than tmp.retentionMs (default 24 h),
//                          then directories left empty (never data/tmp itself)
//   data/profiles/*        heap snapshots and CPU profiles older than monitor.profileRetentionMs (default 24 h),
//                          and stale profiling request files and half-written `.tmp` files
//   data/spool/**/.*.tmp   half-written spool batches abandoned by a crash (the spool's own drain also removes them)
// Age is the modification time. Files another process removes first are skipped quietly.
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface CleanupArea {
  /** Directory to clean. */
  dir: string;
  /** Files older than this are deleted. */
  maxAgeMs: number;
  /** Recurse into subdirectories (and remove those left empty). */
  recursive: boolean;
  /** Only files whose name passes; default every file. */
  match?: (name: string) => boolean;
}

export interface CleanupReport {
  files: number;
  bytes: number;
  directories: number;
  [key: string]: unknown;
}

const PROFILE_FILE = /\.(heapsnapshot|cpuprofile|request|tmp)$/;
const SPOOL_TEMPORARY = /^\..*\.tmp$/;

/** The areas of a data directory that cleanup-tmp tends. */
export function cleanupAreas(
  paths: { tmp: string; profiles: string; spool: string },
  retention: { tmpMs: number; profilesMs: number },
): CleanupArea[] {
  return [
    { dir: paths.tmp, maxAgeMs: retention.tmpMs, recursive: true },
    { dir: paths.profiles, maxAgeMs: retention.profilesMs, recursive: false, match: (n) => PROFILE_FILE.test(n) },
    { dir: paths.spool, maxAgeMs: retention.tmpMs, recursive: true, match: (n) => SPOOL_TEMPORARY.test(n) },
  ];
}

async function entriesOf(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function removeIfOld(file: string, cutoff: number, report: CleanupReport): Promise<void> {
  const info = await lstat(file).catch(() => undefined);
  if (!info || info.mtimeMs >= cutoff) return;
  await rm(file, { force: true });
  report.files += 1;
  report.bytes += info.size;
}

/**
 * Removes a directory left empty, unless it was changed after the cutoff before this run began (a fresh one may be
 * about to receive a file); `mtimeBefore` is its modification time before the run removed anything from it.
 */
async function removeIfEmpty(dir: string, mtimeBefore: number, cutoff: number, report: CleanupReport) {
  if (mtimeBefore >= cutoff || (await entriesOf(dir)).length > 0) return;
  if (
    await rmdir(dir).then(
      () => true,
      () => false,
    )
  )
    report.directories += 1;
}

async function cleanDirectory(dir: string, area: CleanupArea, cutoff: number, report: CleanupReport) {
  for (const entry of await entriesOf(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!area.recursive) continue;
      const mtimeBefore = (await lstat(path).catch(() => undefined))?.mtimeMs ?? Number.POSITIVE_INFINITY;
      await cleanDirectory(path, area, cutoff, report);
      if (area.match === undefined) await removeIfEmpty(path, mtimeBefore, cutoff, report);
    } else if (!area.match || area.match(entry.name)) {
      await removeIfOld(path, cutoff, report);
    }
  }
}

export async function cleanupTmp(areas: readonly CleanupArea[], now: number = Date.now()): Promise<CleanupReport> {
  const report: CleanupReport = { files: 0, bytes: 0, directories: 0 };
  for (const area of areas) await cleanDirectory(area.dir, area, now - area.maxAgeMs, report);
  return report;
}
