/** Temporary directories under os.tmpdir(), removed on cleanup or at the end of an `await using` block. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir extends AsyncDisposable {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call more than once. */
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = 'mailyard-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const cleanup = () => rm(path, { recursive: true, force: true, maxRetries: 3 });
  return { path, cleanup, [Symbol.asyncDispose]: cleanup };
}
