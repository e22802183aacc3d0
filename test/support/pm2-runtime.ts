/**
 * The built apps under the real `pm2-runtime start ecosystem.config.cjs`, as `npm start` runs them, for the
 * end-to-end tests: started in a process group of its own (so a test can send Ctrl-C's SIGINT to the whole group),
 * its output kept for assertions, waited on until PM2 reports the apps online (`App [name:n] online`, printed
 * only after the process sent 'ready'), and every process it started found in /proc and killed at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, waitFor } from '@mailyard/testkit';

export interface ProcessEntry {
  pid: number;
  /**
   * PM2 process name: `name` in the environment of fork-mode apps, else the process of the script in the command
   * line (cluster workers get theirs after start); undefined for pm2-runtime itself.
   */
  name: string | undefined;
}

/** Live processes (zombies excluded) in process group `group` or with `marker` in their command line or environment. */
export function ourProcesses(group: number, marker: string): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const mentions = cmdline.includes(marker) || environ.some((variable) => variable.includes(marker));
      if (Number(pgrp) !== group && !mentions) continue;
      const app = /\/apps\/(\w+)\/dist\/main\.js/.exec(cmdline)?.[1];
      // The api process (REST API and dashboard) runs the web app's entry point.
      const appProcess = app === 'web' ? 'api' : app;
      found.push({ pid, name: environ.find((v) => v.startsWith('name='))?.slice('name='.length) ?? appProcess });
    } catch {
      // Gone meanwhile, or another user's process whose environment we may not read.
    }
  }
  return found;
}

export interface Pm2Runtime {
  /** pm2-runtime's pid, which is also its process group's id. */
  group: number;
  /** What pm2-runtime and its apps printed, the most recent `outputLimit` characters. */
  output(): string;
  /** The last 40 lines of the output, for failure messages. */
  tail(): string;
  /** How many times PM2 reported an instance of the app `name` online. */
  online(name: string): number;
  /** Resolves with pm2-runtime's exit code once it exits. */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGKILL to the process group and to every process with `marker` in its command line or environment. */
  killAll(): void;
}

export interface Pm2RuntimeOptions {
  /** Arguments after `start ecosystem.config.cjs` (such as `--only imap`). */
  args?: string[];
  /** The whole environment of pm2-runtime: see pm2Environment. */
  env: NodeJS.ProcessEnv;
  /** A string every process started carries in its environment (the temp data dir), for killAll. */
  marker: string;
  outputLimit?: number;
}

/**
 * This process's environment without its MAILYARD_*, PM2_* and NODE_OPTIONS variables (so the apps read only what
 * the test sets), then `vars`, with PM2's home in `dir`.
 */
export function pm2Environment(dir: string, vars: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !name.startsWith('MAILYARD_') && !name.startsWith('PM2_') && name !== 'NODE_OPTIONS',
  );
  return { ...Object.fromEntries(inherited), ...vars, PM2_HOME: join(dir, 'pm2') };
}

/** Starts pm2-runtime from the repository root in a new process group. */
export function startPm2Runtime(opts: Pm2RuntimeOptions): Pm2Runtime {
  const root = repoRoot();
  const child: ChildProcess = spawn(
    join(root, 'node_modules', '.bin', 'pm2-runtime'),
    ['start', 'ecosystem.config.cjs', ...(opts.args ?? [])],
    { cwd: root, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const limit = opts.outputLimit ?? 500_000;
  let output = '';
  let exitCode: number | null | undefined;
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-limit);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const group = child.pid ?? -1;
  return {
    group,
    output: () => output,
    tail: () => output.split('\n').slice(-40).join('\n'),
    online: (name) => output.split(`App [${name}:`).filter((part) => /^\d+\] online/.test(part)).length,
    exited,
    hasExited: () => exitCode !== undefined,
    killAll() {
      if (group === -1) return;
      if (exitCode === undefined) signal(-group);
      for (const { pid } of ourProcesses(group, opts.marker)) signal(pid);
    },
  };
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Waits until `ready()` holds, failing with `what` and the output's tail after `timeoutMs` or as soon as
 * pm2-runtime exits.
 */
export async function waitOnline(
  runtime: Pm2Runtime,
  ready: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await waitFor(() => runtime.hasExited() || ready(), timeoutMs, 100).catch(() => {
    throw new Error(`${what} within ${timeoutMs / 1000} s:\n${runtime.tail()}`);
  });
  if (runtime.hasExited()) throw new Error(`pm2-runtime exited during start:\n${runtime.tail()}`);
}
