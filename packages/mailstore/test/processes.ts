/** Spawning test/child.ts in a real Node process, and reading its stdout line by line. */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tsxLoader, waitFor } from '@mailyard/testkit';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(packageDir, '..', '..');

export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching, rejects when the process exits first. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

export function startChild(args: string[]): Child {
  const proc = spawn(
    process.execPath,
    ['--conditions=source', '--import', tsxLoader(), join(packageDir, 'test/child.ts'), ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  // 'close' comes after stdout ended, so by then every line the child printed is in `lines`.
  let closed = false;
  proc.once('close', () => {
    closed = true;
  });
  const waitForLine = async (match: (line: string) => boolean, timeoutMs = 30_000): Promise<string> => {
    const outcome = await waitFor(() => {
      const line = lines.find(match);
      if (line !== undefined) return { line };
      return closed ? { line: undefined } : undefined;
    }, timeoutMs).catch((err: unknown) => {
      throw new Error(`child did not print the expected line within ${timeoutMs} ms`, { cause: err });
    });
    if (outcome.line === undefined) throw new Error('child exited before printing the expected line');
    return outcome.line;
  };
  return { proc, lines, waitForLine, exited };
}
