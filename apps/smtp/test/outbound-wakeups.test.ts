/**
 * Outbound queue wake-ups: an MX that queues a forwarded message through one coordination client wakes the
 * outbound worker attached to another, and the worker delivers to the remote at once. Over Redis the two clients
 * have data directories of their own (as two processes on two machines), so the event files cannot carry the
 * wake-up; embedded, they share the data directory, as the processes on one machine do. The worker's poll interval
 * is set far beyond the test's bounds, so every delivery here is a wake-up's doing. The latency from the MX's 250
 * to the remote's receipt is printed.
 */
import { type Coordination, createRedisCoordination, EmbeddedCoordination } from '@mailyard/coordination';
import {
  captureLog,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SmtpListener } from '../src/listener.js';
import { createMxServer } from '../src/mx.js';
import { NO_MTA_STS } from '../src/outbound/mta-sts.js';
import { createOutboundWorker, type OutboundWorker } from '../src/outbound/worker.js';
import { type Harness, HOSTED, message, REMOTE, type RemoteMx, startHarness, startRemoteMx } from './harness.js';

const available = redisServerAvailable();
/** Far past every wait below: a delivery that happens was woken, not polled. */
const NEVER_POLL_MS = 10 * 60_000;
const MESSAGES = 20;

describe.each([
  { backend: 'redis' as const, skip: !available },
  { backend: 'embedded' as const, skip: false },
])('outbound queue wake-ups ($backend)', ({ backend, skip }) => {
  let server: RedisServer | undefined;
  let h: Harness;
  let remote: RemoteMx;
  let mx: SmtpListener;
  let mxPort: number;
  let worker: OutboundWorker;
  let enqueuerSide: Coordination;
  let workerSide: Coordination;
  const dirs: TempDir[] = [];
  const log = captureLog();

  beforeAll(async () => {
    if (skip) return;
    h = await startHarness();
    remote = await startRemoteMx();
    if (backend === 'redis') server = await startRedisServer();
    const coordination = async (): Promise<Coordination> => {
      if (!server) return new EmbeddedCoordination({ dataDir: h.dir.path });
      const dir = await tempDir('mailyard-wakeups-');
      dirs.push(dir);
      return createRedisCoordination({ url: server.url, dataDir: dir.path, logger: log.logger });
    };
    enqueuerSide = await coordination();
    workerSide = await coordination();
    mx = createMxServer(h.deps({ queueWakeups: enqueuerSide.queue }));
    mxPort = await mx.listen(0, '127.0.0.1');
    worker = createOutboundWorker({
      ...h.deps({ queueWakeups: workerSide.queue }),
      mtaSts: NO_MTA_STS,
      portOverride: remote.port,
      retryDelayMs: () => 0,
      pollIntervalMs: NEVER_POLL_MS,
    });
    worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await mx?.close(1000);
    await remote?.close();
    await enqueuerSide?.close();
    await workerSide?.close();
    await h?.close();
    await server?.stop();
    for (const dir of dirs) await dir.cleanup();
  });

  test.skipIf(skip)(
    `${MESSAGES} forwarded messages, one at a time, each delivered at once (latency printed)`,
    async () => {
      expect([enqueuerSide.backend, workerSide.backend]).toEqual([backend, backend]);
      const transport = createTransport({ host: '127.0.0.1', port: mxPort, secure: false, ignoreTLS: true });
      const latencies: number[] = [];
      for (let i = 0; i < MESSAGES; i++) {
        const to = `fwd@${HOSTED}`;
        const raw = message({ from: 'sam@sender.test', to, subject: `wake ${i}` });
        await transport.sendMail({ envelope: { from: 'sam@sender.test', to: [to] }, raw });
        const accepted = performance.now();
        await waitFor(() => remote.received.length === i + 1, 30_000, 1);
        latencies.push(performance.now() - accepted);
        expect(remote.received[i]?.to).toEqual([`carol@${REMOTE}`]);
      }
      transport.close();
      const sorted = [...latencies].sort((a, b) => a - b);
      const p50 = sorted[Math.floor(sorted.length * 0.5)] ?? Number.NaN;
      const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN;
      console.log(
        `outbound wake-up (${backend}): MX 250 -> remote received p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ` +
          `max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms (${MESSAGES} messages; worker poll interval ${NEVER_POLL_MS / 60_000} min)`,
      );
      expect(remote.received).toHaveLength(MESSAGES);
    },
  );
});
