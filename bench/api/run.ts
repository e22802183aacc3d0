/**
 * API benchmark: GET /v1/domains/:domain/aliases on a domain with 10,000 aliases (pages of 50 spread over the
 * whole list, sorted by name), over real HTTP on 127.0.0.1 against a real encrypted SQLite control store.
 * The load generator (load-worker.mjs: fetch, `--concurrency` requests in flight) runs in a worker thread so that
 * it does not share the server's event loop. Prints requests/s and latency percentiles.
 *
 *   node --conditions=source --import tsx bench/api/run.ts [--aliases 10000] [--seconds 10] [--concurrency 16]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createApiServer } from '@mailyard/api';
import { loadConfig } from '@mailyard/config';
import { SqliteControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';

const { values } = parseArgs({
  options: {
    aliases: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    limit: { type: 'string', default: '50' },
  },
});
const ALIASES = Number(values.aliases);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const LIMIT = Number(values.limit);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function seed(control: SqliteControlStore): Promise<string> {
  const account = await control.createAccount({
    email: 'bench@example.org',
    password: 'bench password',
    isAdmin: true,
  });
  const { secret } = await control.createToken(account.id, 'bench');
  const domain = await control.createDomain({
    accountId: account.id,
    name: 'bench.example',
    verificationToken: 'bench',
    dkim: { selector: 'bench', publicKey: 'AAAA', privateKeyPem: 'unused' },
  });
  const started = performance.now();
  for (let i = 0; i < ALIASES; i++) {
    await control.createAlias(domain.id, {
      name: `user${String(i).padStart(5, '0')}`,
      recipients: [`forward${i}@elsewhere.example`],
      description: 'benchmark alias',
    });
  }
  console.log(`seeded ${ALIASES} aliases in ${Math.round(performance.now() - started)} ms`);
  return secret;
}

interface LoadJob {
  url: string;
  authorization: string;
}

interface LoadResult {
  latencies: number[];
  failures: number;
}

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const workerData = { ...job, aliases: ALIASES, limit: LIMIT, seconds: SECONDS, concurrency: CONCURRENCY };
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailyard-bench-api-'));
  const config = loadConfig({ env: {}, overrides: { dataDir, hostname: 'mx.bench.example' } });
  const control = new SqliteControlStore({ dataDir, masterKey: randomBytes(32) });
  const mailstore = new Mailstore({ dataDir });
  const api = createApiServer({
    config,
    logger: createLogger({ level: 'warn' }),
    control,
    mailstore,
    rateLimits: { perIpPerMinute: 1e9, perTokenPerMinute: 1e9 },
  });
  try {
    const token = await seed(control);
    const port = await api.listen(0, '127.0.0.1');
    const authorization = `Basic ${Buffer.from(`${token}:`).toString('base64')}`;
    const began = performance.now();
    const eluBefore = performance.eventLoopUtilization();
    const { latencies, failures } = await runLoad({ url: `http://127.0.0.1:${port}`, authorization });
    const elapsed = (performance.now() - began) / 1000;
    const elu = performance.eventLoopUtilization(eluBefore);
    latencies.sort((a, b) => a - b);
    const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
    console.log(
      `GET /v1/domains/:domain/aliases (${ALIASES} aliases, limit ${LIMIT}, ${CONCURRENCY} concurrent, ${SECONDS} s)`,
    );
    console.log(`requests: ${latencies.length}, failures: ${failures}`);
    console.log(`throughput: ${(latencies.length / elapsed).toFixed(0)} req/s`);
    // Time the server's event loop was busy per request: less sensitive to other load on the machine than req/s.
    const busyMs = (elu.active / latencies.length).toFixed(2);
    console.log(`server event loop busy ${(elu.utilization * 100).toFixed(0)}%, ${busyMs} ms per request`);
    console.log(
      `latency p50 ${fmt(percentile(latencies, 50))}, p90 ${fmt(percentile(latencies, 90))}, ` +
        `p99 ${fmt(percentile(latencies, 99))}, max ${fmt(latencies.at(-1) ?? Number.NaN)}`,
    );
  } finally {
    await api.close();
    await mailstore.close();
    await control.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
