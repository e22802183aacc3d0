/**
 * Per-process scratch directories for uploads that hold plaintext mail while a background import reads them (the
 * REST API's tmp/imports, the dashboard's tmp/uploads and tmp/backups). A job deletes its upload when it ends; a
 * process that dies (SIGKILL, crash, out of memory) cannot, so each process writes under its own directory
 * `<base>/<host>-<boot>-<pidns>-<pid>-<start>` and whoever starts next over the same data dir removes the
 * directories whose process is gone, long before cleanup-tmp's age-based sweep would.
 *
 * The name says who wrote there: a hash of the host name, the kernel's boot id, the PID namespace, the pid and the
 * process's start time (field 22 of /proc/<pid>/stat, clock ticks since boot, so a reused pid is a different name).
 * A directory is removed only when its writer is certainly gone:
 * - another host name: never judged here (its host sweeps it; cleanup-tmp's age sweep is the last resort);
 * - same host, another boot id: the machine rebooted since, so the writer is gone;
 * - same boot, another PID namespace (another container): never judged here;
 * - same namespace: gone when no process has that pid, or the process with that pid started at another time.
 * Without /proc (not Linux) the start time is a random marker and only a pid that no longer exists counts as gone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

interface Owner {
  host: string;
  boot: string;
  ns: string;
  pid: number;
  start: string;
}

const NAME = /^([0-9a-f]{8})-([0-9a-f]{12}|0)-(\d+)-(\d+)-(\d+|r[0-9a-f]{16})$/;

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses), or null. */
function startTicks(pid: number): string | null {
  const text = readProc(`/proc/${pid}/stat`);
  if (!text) return null;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null; // fields[0] is field 3 (state)
}

function currentOwner(): Owner {
  const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
  const bootId = readProc('/proc/sys/kernel/random/boot_id')?.trim().replace(/-/g, '');
  let ns = '0';
  try {
    ns = /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? '0';
  } catch {
    // no /proc: the namespace stays unknown
  }
  const start = startTicks(process.pid);
  return {
    host,
    boot: bootId && /^[0-9a-f]{12}/.test(bootId) ? bootId.slice(0, 12) : '0',
    ns,
    pid: process.pid,
    start: start && /^\d+$/.test(start) ? start : `r${randomBytes(8).toString('hex')}`,
  };
}

const self = currentOwner();
const selfName = `${self.host}-${self.boot}-${self.ns}-${self.pid}-${self.start}`;

/** This process's scratch directory under `base` (not created: see ensureScratchDir). */
export function scratchDir(base: string): string {
  return join(base, selfName);
}

/** Creates this process's scratch directory under `base` (0700) and returns it. */
export async function ensureScratchDir(base: string): Promise<string> {
  const dir = scratchDir(base);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Whether the process with `pid` exists, by signal 0 (EPERM: it exists, under another user). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** True only when the directory's writer is certainly gone (see the module comment). */
function ownerGone(name: string): boolean {
  const m = NAME.exec(name);
  if (!m || name === selfName) return false;
  const [, host, boot, ns, pidText, start] = m as unknown as [string, string, string, string, string, string];
  if (host !== self.host) return false;
  if (boot !== '0' && self.boot !== '0' && boot !== self.boot) return true;
  if (ns !== self.ns) return false;
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (!pidExists(pid)) return true;
  if (start.startsWith('r') || boot !== self.boot || self.boot === '0') return false;
  const now = startTicks(pid);
  // Unreadable stat (another user's process under hidepid): it exists, so it is left alone.
  return now !== null && now !== start;
}

export interface ScratchReport {
  /** Scratch directories of gone processes removed. */
  directories: number;
  /** Files in them, and their bytes. */
  files: number;
  bytes: number;
}

async function measure(path: string, report: ScratchReport): Promise<void> {
  const info = await lstat(path).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) {
    report.files += 1;
    report.bytes += info.size;
    return;
  }
  const names = await readdir(path).catch(() => [] as string[]);
  for (const name of names) await measure(join(path, name), report);
}

/**
 * Removes the scratch directories under each of `bases` whose process is gone, and says what went. Anything else
 * there (another process's directory, a file of an older layout) is left to cleanup-tmp's age-based sweep.
 */
export async function removeGoneScratch(bases: readonly string[]): Promise<ScratchReport> {
  const report: ScratchReport = { directories: 0, files: 0, bytes: 0 };
  for (const base of bases) {
    const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || !ownerGone(entry.name)) continue;
      const path = join(base, entry.name);
      const found: ScratchReport = { directories: 1, files: 0, bytes: 0 };
      await measure(path, found);
      try {
        await rm(path, { recursive: true, force: true });
      } catch {
        continue; // another sweeper or a permission problem: counted by whoever removes it
      }
      report.directories += found.directories;
      report.files += found.files;
      report.bytes += found.bytes;
    }
  }
  return report;
}
