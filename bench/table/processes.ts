/**
 * What the table benchmark reads from /proc about the running server: the process tree under pm2-runtime (PM2
 * itself and every app it started, each named by the `name` PM2 puts in its environment), each process's
 * listening TCP ports (port 0 everywhere, so the ports are found here rather than configured), its RSS and PSS
 * (smaps_rollup) and its CPU time (utime + stime of /proc/<pid>/stat, in clock ticks).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ServerProcess {
  pid: number;
  /** The PM2 app name (mx, imap, ...), `api#n` for cluster workers, or `pm2` for pm2-runtime itself. */
  name: string;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): index 0 is field 3 (state). */
function statFields(pid: number): string[] {
  const text = readText(`/proc/${pid}/stat`);
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function parentOf(pid: number): number {
  return Number(statFields(pid)[1] ?? 0);
}

/** Every descendant of `root`, root included. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function environ(pid: number): Map<string, string> {
  const entries = readText(`/proc/${pid}/environ`)
    .split('\0')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]);
  return new Map(entries);
}

/**
 * A process whose environment does not name it (a PM2 cluster worker gets its settings after it starts): the app
 * folder of its entry point, apps/<app>/dist/main.js, or its command name.
 */
function nameFromCommandLine(pid: number): string {
  const args = readText(`/proc/${pid}/cmdline`).split('\0');
  const app = args.map((arg) => /apps\/([^/]+)\/dist\/main\.js$/.exec(arg)?.[1]).find(Boolean);
  // The api process (the REST API and the dashboard) starts from the web app's entry point.
  if (app === 'web') return 'api';
  return app ?? readText(`/proc/${pid}/comm`).trim();
}

/** The server's processes: pm2-runtime (`root`) and every Node process below it, named after their PM2 app. */
export function serverProcesses(root: number): ServerProcess[] {
  return processTree(root).map((pid) => {
    if (pid === root) return { pid, name: 'pm2' };
    const env = environ(pid);
    return { pid, name: env.get('name') ?? nameFromCommandLine(pid) };
  });
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // The descriptor closed between readdir and readlink.
    }
  }
  return inodes;
}

/** TCP ports `pid` listens on (IPv4 and IPv6 tables of its network namespace). */
export function listeningPorts(pid: number): number[] {
  const inodes = socketInodes(pid);
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readText(`/proc/${pid}/net/${table}`).split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A' || !inodes.has(cols[9] ?? '')) continue;
      ports.add(Number.parseInt(cols[1]?.split(':')[1] ?? '0', 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

export interface MemoryFigures {
  rssKb: number;
  pssKb: number;
}

/** RSS and PSS of one process from smaps_rollup (zero once it has gone). */
export function memoryOf(pid: number): MemoryFigures {
  const text = readText(`/proc/${pid}/smaps_rollup`);
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: kb('Rss'), pssKb: kb('Pss') };
}

/** CPU time used so far by one process (user + system), in clock ticks. */
export function cpuTicksOf(pid: number): number {
  const fields = statFields(pid);
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}
