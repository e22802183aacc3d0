// Heap snapshots and CPU profiles in <dataDir>/profiles, and their retention.
//
// Files are named <processName>-<pid>-<UTC timestamp>.<ext> and written under a `.tmp` name first, then renamed,
// so a reader (or the pruning of another process sharing the directory) never sees half a file.
// `.heapsnapshot` is V8's heap snapshot JSON and `.cpuprofile` is the DevTools Profiler.Profile JSON; Chrome
// DevTools, VS Code and cpupro open both.

import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import v8 from 'node:v8';

export const PROFILE_EXTENSIONS = ['.heapsnapshot', '.cpuprofile'] as const;
export type ProfileExtension = (typeof PROFILE_EXTENSIONS)[number];

export interface RetentionPolicy {
  /** Keep at most this many profile files in the directory (all processes together). Default 20. */
  maxFiles: number;
  /** Delete profile files older than this. Default 24 h, as the cleanup-tmp job does. */
  maxAgeMs: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ maxFiles: 20, maxAgeMs: 24 * 3600_000 });

export function profilesDirOf(dataDir: string): string {
  return path.join(dataDir, 'profiles');
}

/** Keeps process names safe to use in a file name (PM2 names may hold spaces or slashes). */
function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'node';
}

export function profileFileName(processName: string, ext: ProfileExtension, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '-');
  return `${fileSafe(processName)}-${process.pid}-${stamp}${ext}`;
}

function isProfileFile(name: string): boolean {
  return PROFILE_EXTENSIONS.some((ext) => name.endsWith(ext));
}

interface ListedFile {
  file: string;
  mtimeMs: number;
}

async function listProfiles(dir: string): Promise<ListedFile[]> {
  const names = (await readdir(dir)).filter(isProfileFile);
  const listed = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => undefined);
      return info && { file, mtimeMs: info.mtimeMs };
    }),
  );
  return listed.filter((f): f is ListedFile => f !== undefined);
}

/**
 * Deletes profile files past the policy: everything older than maxAgeMs, then the oldest beyond maxFiles.
 * Returns the deleted paths. Files another process deletes first are skipped quietly.
 */
export async function pruneProfiles(dir: string, policy: RetentionPolicy, now: number = Date.now()): Promise<string[]> {
  const files = (await listProfiles(dir)).sort((a, b) => b.mtimeMs - a.mtimeMs);
  const doomed = files.filter((f, index) => index >= policy.maxFiles || now - f.mtimeMs > policy.maxAgeMs);
  await Promise.all(doomed.map((f) => unlink(f.file).catch(() => undefined)));
  return doomed.map((f) => f.file);
}

/**
 * Writes a V8 heap snapshot. Synchronous inside V8: the event loop stops while it runs (seconds for a large
 * heap) and V8 needs memory of the order of the heap size again to build it.
 */
export async function writeHeapSnapshotFile(dir: string, processName: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, profileFileName(processName, '.heapsnapshot'));
  const temporary = `${target}.tmp`;
  v8.writeHeapSnapshot(temporary);
  await rename(temporary, target);
  return target;
}

/** Records a CPU profile of this thread for `seconds` through the inspector protocol's Profiler domain. */
export async function writeCpuProfileFile(dir: string, processName: string, seconds: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await delay(seconds * 1000, undefined, { ref: false });
    const { profile } = await session.post('Profiler.stop');
    const target = path.join(dir, profileFileName(processName, '.cpuprofile'));
    await writeFile(`${target}.tmp`, JSON.stringify(profile));
    await rename(`${target}.tmp`, target);
    return target;
  } finally {
    session.disconnect();
  }
}
