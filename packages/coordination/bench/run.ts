/**
 * Coordination benchmark: mailbox event publish -> receive latency between two instances (p50, p99) and counter
 * and lock throughput, for the embedded implementation (event files, memory) and Redis (a private redis-server
 * started here as the tests do, over its unix socket and over TLS on 127.0.0.1). Two instances live in this one
 * process, so the latency is measured on one clock; events are spaced so each is timed alone, as a delivery or a
 * flag change would be.
 *
 *   pnpm --filter @mailyard/coordination bench        (EVENTS=500 OPS=20000 to change the counts)
 */
import { createLogger } from '@mailyard/logger';
import { type RedisServer, redisServerAvailable, startRedisServer, type TempDir, tempDir } from '@mailyard/testkit';
import { type Coordination, createRedisCoordination, EmbeddedCoordination } from '../src/index.js';

const EVENTS = Number(process.env.EVENTS ?? 300);
const OPS = Number(process.env.OPS ?? 10_000);
const CONCURRENCY = 64;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Publishes EVENTS events from `from`, 5 ms apart, and times each one's arrival at `to`. */
async function eventLatency(from: Coordination, to: Coordination): Promise<{ p50: number; p99: number }> {
  const box = 'a'.repeat(32);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const off = to.events.subscribe(box, (event) => {
    const sent = sentAt.get(event.uid ?? -1);
    if (sent !== undefined) latencies.push(performance.now() - sent);
  });
  for (let uid = 1; uid <= EVENTS; uid++) {
    sentAt.set(uid, performance.now());
    from.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid });
    await sleep(5);
  }
  const giveUp = Date.now() + 5_000;
  while (latencies.length < EVENTS && Date.now() < giveUp) await sleep(10);
  off();
  if (latencies.length < EVENTS) throw new Error(`only ${latencies.length} of ${EVENTS} events arrived`);
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/** Operations per second of `op`, OPS times (after 1,000 to warm up): one at a time, then CONCURRENCY in flight. */
async function throughput(op: (i: number) => Promise<unknown>): Promise<{ serial: number; concurrent: number }> {
  for (let i = 0; i < 1_000; i++) await op(i);
  let started = performance.now();
  for (let i = 0; i < OPS; i++) await op(i);
  const serial = OPS / ((performance.now() - started) / 1000);
  started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < OPS) await op(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const concurrent = OPS / ((performance.now() - started) / 1000);
  return { serial, concurrent };
}

async function measure(label: string, first: Coordination, second: Coordination): Promise<void> {
  const latency = await eventLatency(first, second);
  console.log(
    `${label}: event publish -> receive in another instance: p50 ${latency.p50.toFixed(2)} ms, ` +
      `p99 ${latency.p99.toFixed(2)} ms (${EVENTS} events)`,
  );
  const consume = await throughput((i) => first.consume(`bench-${i % 100}`, 1_000_000, 60_000));
  console.log(
    `${label}: consume (atomic counter): ${consume.serial.toFixed(0)} ops/s one at a time, ` +
      `${consume.concurrent.toFixed(0)} ops/s with ${CONCURRENCY} in flight`,
  );
  const locks = await throughput(async (i) => {
    const lock = await first.locks.acquire(`bench-${i % 1000}`, 10_000);
    await lock?.release();
  });
  console.log(
    `${label}: lock acquire + release: ${locks.serial.toFixed(0)} pairs/s one at a time, ` +
      `${locks.concurrent.toFixed(0)} pairs/s with ${CONCURRENCY} in flight`,
  );
}

async function main(): Promise<void> {
  const dir: TempDir = await tempDir('mailyard-coordination-bench-');
  let server: RedisServer | undefined;
  try {
    const embeddedA = new EmbeddedCoordination({ dataDir: dir.path });
    const embeddedB = new EmbeddedCoordination({ dataDir: dir.path });
    await measure('embedded', embeddedA, embeddedB);
    await embeddedA.close();
    await embeddedB.close();

    if (!redisServerAvailable()) return;
    server = await startRedisServer({ password: 'bench', tls: true });
    const logger = createLogger({ name: 'bench', level: 'warn' });
    const targets = [
      { label: 'redis (unix socket)', url: server.url },
      { label: 'redis (TLS on 127.0.0.1)', url: server.tlsUrl ?? '', tls: { ca: server.certificate } },
    ];
    for (const { label, ...target } of targets) {
      const options = { ...target, dataDir: dir.path, logger };
      const redisA = await createRedisCoordination(options);
      const redisB = await createRedisCoordination(options);
      await measure(label, redisA, redisB);
      await redisA.close();
      await redisB.close();
    }
  } finally {
    await server?.stop();
    await dir.cleanup();
  }
}

await main();
