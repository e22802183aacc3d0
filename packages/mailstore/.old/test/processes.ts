/** Spawning test/child.ts in a real Node process, and reading its stdout line by line. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(packageDir, '..', '..');

function tsxLoader(): string {
  for (const dir of [join(repoRoot, 'node_modules/tsx'), join(repoRoot, 'node_modules/.pnpm/node_modules/tsx')]) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const exported = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: { '.': string } }).exports['.'];
    return pathToFileURL(join(dir, exported)).href;
  }
  throw new Error('tsx is not installed in the workspace');
}

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
  const waiters = new Set<() => void>();
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`child did not print the expected line within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then(() => {
        setTimeout(() => {
          check();
          if (!waiters.has(check)) return;
          cleanup();
          reject(new Error('child exited before printing the expected line'));
        }, 50);
      });
      check();
    });
  return { proc, lines, waitForLine, exited };
}
