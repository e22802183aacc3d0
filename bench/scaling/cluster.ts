/**
 * Instances of an app as PM2 cluster mode runs them: node's cluster module, this process the primary holding the
 * shared port and handing connections to the workers in turn (PM2's daemon does that work in production). Each
 * worker runs the app's src/main.ts through tsx with the given settings and NODE_APP_INSTANCE set, and logs JSON
 * lines on stdout; startWorkers resolves once every worker logged the line that says it listens.
 */
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { repoRoot } from '@mailyard/testkit';

export interface WorkerSet {
  /** The port every worker listens on (port 0 in the settings: the primary picks one and shares it). */
  port: number;
  workers: Worker[];
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** App folder under apps/ (imap, smtp). */
  app: string;
  args?: string[];
  count: number;
  env: Record<string, string>;
  /** The log message (msg) a worker writes once it listens; its `port` field is read. */
  listening: string;
}

export async function startWorkers(options: WorkerOptions): Promise<WorkerSet> {
  cluster.setupPrimary({
    exec: join(repoRoot(), 'apps', options.app, 'src', 'main.ts'),
    args: options.args ?? [],
    execArgv: ['--conditions=source', '--import', 'tsx'],
    silent: true,
  });
  const env = { MAILYARD_LOG_LEVEL: 'info', MAILYARD_METRICS_ENABLED: 'false', ...options.env };
  const workers: Worker[] = [];
  const ports = await Promise.all(
    Array.from({ length: options.count }, (_, index) => {
      const worker = cluster.fork({ ...env, NODE_APP_INSTANCE: String(index) });
      workers.push(worker);
      return new Promise<number>((resolve, reject) => {
        let pending = '';
        worker.process.stdout?.on('data', (chunk: Buffer) => {
          pending += chunk.toString();
          for (const line of pending.split('\n').slice(0, -1)) {
            if (line.includes(`"${options.listening}"`)) resolve(Number(JSON.parse(line).port));
          }
          pending = pending.slice(pending.lastIndexOf('\n') + 1);
        });
        worker.process.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
        worker.once('exit', (code) => reject(new Error(`${options.app} worker exited ${code}`)));
      });
    }),
  );
  if (new Set(ports).size !== 1) throw new Error(`workers listen on different ports: ${ports.join(', ')}`);
  return { port: ports[0] ?? 0, workers, stop: () => stopWorkers(workers) };
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  );
}
