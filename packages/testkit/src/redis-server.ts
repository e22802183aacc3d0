/**
 * A private redis-server (Debian package `redis-server`) for the tests: started in a temp directory on a unix
 * socket with TCP off (`--port 0`), so it never collides with another run or a system Redis; optionally with a
 * password, and a TLS listener on 127.0.0.1 at a port found by binding port 0 first, with a throwaway self-signed
 * certificate. Nothing is persisted (no RDB, no AOF): kill() and start() model a Redis that restarts empty.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createSelfSignedPair } from '@mailyard/config';
import { findExecutable, requireTool } from './environment.js';
import { type TempDir, tempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

export interface RedisServerOptions {
  password?: string;
  tls?: boolean;
}

export interface RedisServer extends AsyncDisposable {
  /** unix:// URL of the socket (with the password in it when there is one). */
  readonly url: string;
  /** rediss://127.0.0.1:<port> when started with tls (with the password). */
  readonly tlsUrl?: string;
  /** PEM of the self-signed certificate, to trust as the CA. */
  readonly certificate?: string;
  readonly running: boolean;
  /** SIGKILL (no clean shutdown) and wait for the exit. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, as a hung Redis. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Start again on the same socket and port, empty. */
  start(): Promise<void>;
  /** Kill and remove the directory. */
  stop(): Promise<void>;
}

/** Whether redis-server is here: prints why not and returns false locally, throws when CI=true. */
export function redisServerAvailable(): boolean {
  return requireTool('redis-server');
}

/** Binds port 0 on 127.0.0.1 to learn a free port, then frees it for redis-server. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port bound');
  return address.port;
}

async function tlsFiles(dir: TempDir): Promise<{ cert: string; certFile: string; keyFile: string }> {
  const pair = createSelfSignedPair('localhost');
  const certFile = join(dir.path, 'cert.pem');
  const keyFile = join(dir.path, 'key.pem');
  await writeFile(certFile, pair.cert);
  await writeFile(keyFile, pair.key, { mode: 0o600 });
  return { cert: pair.cert, certFile, keyFile };
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const executable = findExecutable('redis-server');
  if (!executable) throw new Error('redis-server not found on PATH');
  const dir = await tempDir('mailyard-redis-');
  const socket = join(dir.path, 'redis.sock');
  const args = ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dir.path];
  args.push('--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--protected-mode', 'no');
  if (options.password) args.push('--requirepass', options.password);
  const auth = options.password ? encodeURIComponent(options.password) : '';
  let tls: { url: string; cert: string } | undefined;
  if (options.tls) {
    const files = await tlsFiles(dir);
    const port = await freePort();
    args.push('--tls-port', String(port), '--tls-cert-file', files.certFile, '--tls-key-file', files.keyFile);
    args.push('--tls-ca-cert-file', files.certFile, '--tls-auth-clients', 'no');
    tls = { url: `rediss://${auth ? `:${auth}@` : ''}127.0.0.1:${port}`, cert: files.cert };
  }

  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    output = '';
    const started = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    // A test process that dies without its afterAll must not leave a redis-server behind.
    const orphanGuard = () => started.kill('SIGKILL');
    process.once('exit', orphanGuard);
    started.once('exit', () => process.off('exit', orphanGuard));
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      await waitFor(() => /ready to accept connections/i.test(output) || started.exitCode !== null, 10_000);
    } catch (err) {
      started.kill('SIGKILL');
      throw new Error(`redis-server did not start: ${output}`, { cause: err });
    }
    if (started.exitCode !== null) throw new Error(`redis-server exited ${started.exitCode}: ${output}`);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  const stop = async () => {
    await kill();
    await dir.cleanup();
  };

  await start();
  return {
    url: `unix://${socket}${auth ? `?password=${auth}` : ''}`,
    ...(tls ? { tlsUrl: tls.url, certificate: tls.cert } : {}),
    get running() {
      return child !== undefined && child.exitCode === null;
    },
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    start,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
