/**
 * A real full disk for tests: a small tmpfs mounted on a fresh directory, so ENOSPC and SQLITE_FULL come from the
 * kernel rather than from an injected fault. Mounting needs root (CAP_SYS_ADMIN); without it the test skips with
 * the reason printed, and fails when CI=true (testkit's unavailable()). cleanup() unmounts (lazily when a handle
 * is still open) and removes the directory, so no mount outlives its test.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unavailable } from './environment.js';

const run = promisify(execFile);

export interface SmallFilesystem extends AsyncDisposable {
  readonly dir: string;
  /** Fills every free block with a filler file (until the kernel answers ENOSPC). */
  fill(): Promise<void>;
  /** Removes the filler file: the space is free again. */
  free(): Promise<void>;
  freeBytes(): Promise<number>;
  cleanup(): Promise<void>;
}

/** A tmpfs of `sizeBytes` (rounded up to whole pages by the kernel), or undefined when mounting is not possible. */
export async function smallFilesystem(sizeBytes: number): Promise<SmallFilesystem | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'mailyard-smallfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    await rmdir(dir);
    unavailable(`cannot mount a tmpfs for a full-disk test (needs root): ${(err as Error).message.trim()}`);
    return undefined;
  }
  const filler = join(dir, 'filler');
  let mounted = true;
  const cleanup = async () => {
    if (!mounted) return;
    mounted = false;
    await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
    await rm(dir, { recursive: true, force: true });
  };
  return {
    dir,
    fill: () => fillUp(filler),
    free: () => rm(filler, { force: true }),
    freeBytes: async () => {
      const s = await statfs(dir);
      return s.bavail * s.bsize;
    },
    cleanup,
    [Symbol.asyncDispose]: cleanup,
  };
}

async function fillUp(path: string): Promise<void> {
  const fh = await open(path, 'a');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) await fh.write(chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // The last partial page: smaller and smaller pieces until not even one byte fits.
    for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
      await fh.write(Buffer.alloc(size)).catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}
