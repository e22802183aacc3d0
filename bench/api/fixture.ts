/**
 * What the API benches (run.ts, messages.ts) share: an API server over a real encrypted control store and mail
 * store in a temporary data dir, with the request rate limits out of the way; a load generator in a worker thread
 * (so it does not share the server's event loop); and one report of a load: requests, req/s, the server event
 * loop's busy time per request (less sensitive to other load on the machine than req/s), latency percentiles.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ApiServer, createApiServer } from '@mailyard/api';
import { type Config, loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore, type MailstoreOptions } from '@mailyard/mailstore';

export interface BenchApi {
  config: Config;
  control: SqliteControlStore;
  mailstore: Mailstore;
  api: ApiServer;
  /** Closes the server and the stores, and removes the data dir. */
  close(): Promise<void>;
}

/** The API on a fresh data dir (not listening yet); `mailstore` options such as the KDF cost. */
export async function startBenchApi(name: string, mailstore: Partial<MailstoreOptions> = {}): Promise<BenchApi> {
  const dataDir = await mkdtemp(join(tmpdir(), `mailyard-bench-${name}-`));
  const config = loadConfig({ env: {}, overrides: { dataDir, hostname: 'mx.bench.example' } });
  const control = new SqliteControlStore({ dataDir, masterKey: randomBytes(32) });
  const store = new Mailstore({ dataDir, ...mailstore });
  const api = createApiServer({
    config,
    logger: createLogger({ level: 'warn' }),
    control,
    mailstore: store,
    rateLimits: { perIpPerMinute: 1e9, perTokenPerMinute: 1e9 },
  });
  return {
    config,
    control,
    mailstore: store,
    api,
    async close() {
      await api.close();
      await store.close();
      await control.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface LoadResult {
  latencies: number[];
  failures: number;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Runs the load generator `worker` (a .mjs beside the bench, given `workerData`, answering with a LoadResult) and
 * prints its report under `title`.
 */
export async function measureLoad(title: string, worker: URL, workerData: Record<string, unknown>): Promise<void> {
  const began = performance.now();
  const eluBefore = performance.eventLoopUtilization();
  const result = await new Promise<LoadResult>((resolve, reject) => {
    const thread = new Worker(worker, { workerData });
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  const elapsed = (performance.now() - began) / 1000;
  const elu = performance.eventLoopUtilization(eluBefore);
  const { latencies, failures } = result;
  latencies.sort((a, b) => a - b);
  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  console.log(title);
  console.log(`  requests: ${latencies.length}, failures: ${failures}`);
  console.log(`  throughput: ${(latencies.length / elapsed).toFixed(0)} req/s`);
  const busyMs = (elu.active / latencies.length).toFixed(2);
  console.log(`  server event loop busy ${(elu.utilization * 100).toFixed(0)}%, ${busyMs} ms per request`);
  console.log(
    `  latency p50 ${fmt(percentile(latencies, 50))}, p90 ${fmt(percentile(latencies, 90))}, ` +
      `p99 ${fmt(percentile(latencies, 99))}, max ${fmt(latencies.at(-1) ?? Number.NaN)}`,
  );
}
