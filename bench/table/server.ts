/**
 * The server under the table benchmark, started the way `npm start` ends (scripts/run.mjs): `pm2-runtime start
 * ecosystem.config.cjs --no-auto-exit` in the foreground, over the built apps (dist/), with PM2_HOME and the data directory in a temp dir and every
 * MAILYARD_*_PORT set to 0. The listening ports are then read from /proc (processes.ts) and told apart by their
 * greeting: `220` SMTP, `* OK` IMAP, `+OK` POP3 (TLS and HTTP listeners say nothing first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { portZeroEnvironment, repoRoot } from '@mailyard/testkit';
import { listeningPorts, type ServerProcess, serverProcesses } from './processes.js';

export interface RunningServer {
  child: ChildProcess;
  ports: { mx: number; imap: number; pop3: number };
  processes(): ServerProcess[];
  stop(): Promise<void>;
}

type Greeting = 'smtp' | 'imap' | 'pop3' | 'none';

/** What a listener says first within `waitMs` (SMTP waits before its 220, so allow for that). */
function greetingOf(port: number, waitMs = 1500): Promise<Greeting> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (kind: Greeting) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(kind);
    };
    const timer = setTimeout(() => done('none'), waitMs);
    socket.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (text.startsWith('220')) done('smtp');
      else if (text.startsWith('* OK')) done('imap');
      else if (text.startsWith('+OK')) done('pop3');
      else done('none');
    });
    socket.on('error', () => done('none'));
  });
}

async function findPort(processes: ServerProcess[], name: string, kind: Greeting): Promise<number | undefined> {
  const proc = processes.find((p) => p.name === name);
  if (!proc) return undefined;
  for (const port of listeningPorts(proc.pid)) {
    if ((await greetingOf(port)) === kind) return port;
  }
  return undefined;
}

/**
 * Starts pm2-runtime with `env` added to this process's environment (ports 0, data dir...) and waits, up to
 * `timeoutMs`, until mx, imap and pop3 answer on their plain ports and every app of the ecosystem is running.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 120_000): Promise<RunningServer> {
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules', 'pm2', 'bin', 'pm2-runtime'), 'start', 'ecosystem.config.cjs', '--no-auto-exit'],
    {
      cwd: root,
      env: { ...process.env, ...portZeroEnvironment(), ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // PM2's own log lines: read and dropped (an ignored stdout made PM2 log a write error while stopping).
  child.stdout?.resume();
  const pid = child.pid ?? 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`pm2-runtime exited with ${child.exitCode}`);
    const procs = serverProcesses(pid);
    const apps = new Set(procs.map((p) => p.name.replace(/#\d+$/, '')));
    const expected = ['mx', 'outbound', 'imap', 'api'];
    if (expected.every((name) => apps.has(name))) {
      const mx = await findPort(procs, 'mx', 'smtp');
      const imap = await findPort(procs, 'imap', 'imap');
      // POP3 is served by the imap process.
      const pop3 = await findPort(procs, 'imap', 'pop3');
      if (mx && imap && pop3) {
        return { child, ports: { mx, imap, pop3 }, processes: () => serverProcesses(pid), stop };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`the server did not come up within ${timeoutMs} ms`);
}
