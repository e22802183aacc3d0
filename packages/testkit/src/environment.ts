/**
 * What a test may need from the machine: the repository root, the shared mail corpus and Debian tools.
 * The rule for anything missing: locally, print why and let the test skip; in CI (CI=true), fail loudly,
 * so a CI run can never pass by skipping.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function isCI(): boolean {
  return process.env.CI === 'true';
}

/** Returns false after printing `reason`, or throws it when running in CI. */
export function unavailable(reason: string): false {
  if (isCI()) throw new Error(`${reason} (required because CI=true)`);
  console.log(`skipping: ${reason}`);
  return false;
}

/** The directory holding pnpm-workspace.yaml, found by walking up from `from` (default: this package). */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}

/**
 * The file URL of tsx's loader in the workspace, for child processes that run TypeScript sources:
 * `node --conditions=source --import <this> child.ts` (pnpm links tsx at the root, or only under .pnpm).
 */
export function tsxLoader(root: string = repoRoot()): string {
  for (const dir of [join(root, 'node_modules/tsx'), join(root, 'node_modules/.pnpm/node_modules/tsx')]) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const exported = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: { '.': string } }).exports['.'];
    return pathToFileURL(join(dir, exported)).href;
  }
  throw new Error('tsx is not installed in the workspace');
}

/** The shared mail corpus at <repo root>/../shared/corpus, or undefined (with the reason printed) when absent. */
export function corpusDir(root: string = repoRoot()): string | undefined {
  const dir = resolve(root, '..', 'shared', 'corpus');
  if (existsSync(dir) && statSync(dir).isDirectory()) return dir;
  unavailable(`mail corpus not found at ${dir}`);
  return undefined;
}

export interface CorpusOptions {
  /** Also the *.lf.eml twins (the raw upstream bytes with LF line endings); default: only the CRLF messages. */
  withLfTwins?: boolean;
  /** The repository root the corpus sits beside; default: this workspace's. */
  root?: string;
}

/**
 * Absolute paths of the corpus messages (*.eml with CRLF line endings, and with `withLfTwins` their *.lf.eml
 * twins), sorted. Empty when the corpus is absent locally (the reason printed); throws when absent in CI.
 */
export function corpusMessages(options: CorpusOptions = {}): string[] {
  const dir = corpusDir(options.root);
  if (dir === undefined) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml') && (options.withLfTwins === true || !name.endsWith('.lf.eml')))
    .sort()
    .map((name) => join(dir, name));
}

/** True when `name` is an executable on PATH (or an executable path); otherwise the skip-or-fail rule. */
export function requireTool(name: string): boolean {
  if (findExecutable(name) !== undefined) return true;
  return unavailable(`${name} not found on PATH (or not executable)`);
}

export function findExecutable(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  return candidates.find(isExecutableFile);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
