import { open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a process waits for another one that is making the runtime files (a self-signed pair takes ~0.5 s). */
const WAIT_MS = 30_000;
/** A lock older than this was left by a process that died while holding it. */
const STALE_MS = 60_000;
const RETRY_MS = 25;

async function removeIfStale(path: string): Promise<void> {
  try {
    if (Date.now() - (await stat(path)).mtimeMs > STALE_MS) await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Runs `create` while holding `<dir>/.runtime-files.lock` (made with O_EXCL), so processes that start together on
 * a fresh data directory (PM2 starts them all at once) make one master key and one certificate, and none reads a
 * file another is still writing.
 */
export async function withCreationLock<T>(dir: string, create: () => Promise<T>): Promise<T> {
  const lockPath = join(dir, '.runtime-files.lock');
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`${lockPath} is held by another process; remove it if none runs`);
      await removeIfStale(lockPath);
      await sleep(RETRY_MS);
    }
  }
  try {
    return await create();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
