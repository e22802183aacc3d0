/**
 * SMTP benchmark: messages/s accepted and durably stored (250 = fsynced into the sealed spool) by one MX process
 * (the built apps/smtp/dist/main.js), with 1 and 20 concurrent senders at 4 KB and 100 KB, p50/p99 time from
 * MAIL FROM to the 250 after DATA, the MX process's RSS; then outbound deliveries/s from the queue worker to a
 * local sink (the running worker: overlapping claims, pooled sessions). Build first (turbo run build --filter=@mailyard/smtp...), then from bench/: node --import tsx smtp/run.ts
 * (BENCH_SCALE scales the message counts).
 */
import { createSelfSignedPair, loadConfig } from '@mailyard/config';
import type { SqliteControlStore } from '@mailyard/control';
import { createLogger } from '@mailyard/logger';
import { Mailstore } from '@mailyard/mailstore';
import { createOutboundWorker, GuardedSmtpServer, NO_MTA_STS } from '@mailyard/smtp';
import {
  body,
  createFixture,
  DOMAIN,
  MAILBOX_ID,
  type MxFixture,
  PASSWORD,
  rssMb,
  sendInbound,
  startMx,
} from './mx-fixture.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);

async function inbound(port: number, pid: number, senders: number, size: number, total: number): Promise<number> {
  const run = await sendInbound(port, senders, size, total);
  const mem = rssMb(pid);
  console.log(
    `mx  ${String(senders).padStart(2)} sender(s) ${String(size / 1024).padStart(3)} KB: ${run.rate.toFixed(0).padStart(5)} msg/s` +
      `  p50 ${run.p50.toFixed(1)} ms  p99 ${run.p99.toFixed(1)} ms` +
      `  RSS ${mem.rss.toFixed(0)} MB (peak ${mem.peak.toFixed(0)} MB)  [${total} msgs]`,
  );
  return total;
}

async function outbound(deps: Parameters<typeof createOutboundWorker>[0], control: SqliteControlStore, count: number) {
  const received = { n: 0 };
  const sink = new GuardedSmtpServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received.n += 1;
        callback(null, 'Ok');
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const address = sink.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const message = body(4096, 0);
  for (let i = 0; i < count; i++) {
    await control.enqueue({ envelopeFrom: `s@${DOMAIN}`, recipients: [`r${i}@sink.test`], body: message });
  }
  const worker = createOutboundWorker({ ...deps, mtaSts: NO_MTA_STS, portOverride: port, retryDelayMs: () => 0 });
  const started = performance.now();
  worker.start();
  while (received.n < count && performance.now() - started < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await worker.stop();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `outbound 4 KB to a local sink, concurrency ${deps.config.smtp.outboundConcurrency}: ${(received.n / seconds).toFixed(0)} deliveries/s [${received.n}/${count}]`,
  );
  await new Promise<void>((resolve) => sink.close(() => resolve()));
}

/** Inbound MX figures (skipped with BENCH_ONLY=outbound). */
async function mxPhase(fixture: MxFixture): Promise<void> {
  const mx = await startMx(fixture);
  const pid = mx.child.pid ?? 0;
  const port = mx.port;
  console.log(`mx pid ${pid}, idle RSS ${rssMb(pid).rss.toFixed(0)} MB`);
  let accepted = 0;
  accepted += await inbound(port, pid, 1, 4096, Math.round(300 * SCALE));
  accepted += await inbound(port, pid, 20, 4096, Math.round(2000 * SCALE));
  accepted += await inbound(port, pid, 1, 100 * 1024, Math.round(150 * SCALE));
  accepted += await inbound(port, pid, 20, 100 * 1024, Math.round(600 * SCALE));
  await mx.stop();

  const drainStart = performance.now();
  const session = await fixture.mailstore.open(MAILBOX_ID, PASSWORD);
  const stored = session.status('INBOX').messages;
  session.close();
  console.log(
    `stored in the mailbox after drain: ${stored}/${accepted} (drain ${((performance.now() - drainStart) / 1000).toFixed(1)} s)`,
  );
}

async function main(): Promise<void> {
  const fixture = await createFixture();
  const { dir, dns, control, masterKey } = fixture;
  dns.table.mx.set('sink.test', [{ preference: 10, exchange: 'mx.sink.test' }]);
  dns.table.a.set('mx.sink.test', ['127.0.0.1']);

  if (process.env.BENCH_ONLY !== 'outbound') await mxPhase(fixture);
  // The opened mailbox goes on indexing its 3000 new messages in this process; the outbound process opens no
  // mailbox, so close it rather than let it share the event loop with the worker being measured.
  await fixture.mailstore.close();
  const outboundMailstore = new Mailstore({ dataDir: dir.path });

  const config = loadConfig({
    env: {},
    overrides: { dataDir: dir.path, hostname: 'mx.bench.test', dns: { resolver: dns.address } },
  });
  const logger = createLogger({ level: 'warn' });
  const tls = createSelfSignedPair('mx.bench.test');
  const deps = { config, logger, control, mailstore: outboundMailstore, masterKey, tls };
  await outbound(deps, control, Math.round(1000 * SCALE));

  await outboundMailstore.close();
  await fixture.close();
}

await main();
