/**
 * SMTP inbound throughput with the built-in spam filter off and on: the same MX process (the built
 * apps/smtp/dist/main.js) over the same data dir, 4 KB messages, 1 sender (a new message after each 250) and 20
 * concurrent senders, p50/p99 from MAIL FROM to the 250. With the filter on, every message also gets the content
 * checks (GTUBE scan, header anomalies), a PTR lookup of the client (answered by the local DNS responder),
 * the recipient domain's settings from control.db and the X-Spam-* headers; DNS blocklists are off, as by default.
 * Build first (turbo run build --filter=@mailyard/smtp...), then from bench/: node --import tsx smtp/spam.ts
 * (BENCH_SCALE scales the message counts).
 */
import { createFixture, type InboundRun, type MxFixture, sendInbound, startMx } from './mx-fixture.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);

function inbound(port: number, senders: number, total: number): Promise<InboundRun> {
  return sendInbound(port, senders, 4096, total);
}

async function measure(fixture: MxFixture, enabled: boolean): Promise<void> {
  const mx = await startMx(fixture, { MAILYARD_SPAM_ENABLED: String(enabled) });
  try {
    // A short warm-up, so the first figures do not include JIT compilation and first SQLite reads.
    await inbound(mx.port, 4, Math.round(100 * SCALE));
    for (const [senders, total] of [
      [1, 300],
      [20, 2000],
    ] as const) {
      const r = await inbound(mx.port, senders, Math.round(total * SCALE));
      console.log(
        `spam filter ${enabled ? 'on ' : 'off'}  ${String(senders).padStart(2)} sender(s) 4 KB: ` +
          `${r.rate.toFixed(0).padStart(5)} msg/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms`,
      );
    }
  } finally {
    await mx.stop();
  }
}

const fixture = await createFixture();
try {
  // Twice each, alternating, so that a machine getting busier or quieter during the run shows in the figures.
  for (const enabled of [false, true, false, true]) await measure(fixture, enabled);
} finally {
  await fixture.close();
}
