/**
 * SMTP inbound throughput with rspamd and clamd off and on: the same MX process (the built apps/smtp/dist/main.js)
 * over the same data dir, 4 KB messages, 1 sender (a new message after each 250) and 20 concurrent senders,
 * p50/p99 from MAIL FROM to the 250. The built-in filter is on throughout; rspamd and clamd are the real Debian
 * daemons, started as the tests start them (apps/smtp/test/scanner-daemons.ts: private configuration, one rspamd
 * normal worker, network modules off; clamd with a one-signature database, so its figures show the protocol and
 * the daemon's parsing, not the cost of a full signature set).
 * Build first (turbo run build --filter=@mailyard/smtp...), then from bench/:
 * node --conditions=source --import tsx smtp/scanners.ts (BENCH_SCALE scales the message counts).
 */
import { startClamd, startRspamd } from '../../apps/smtp/test/scanner-daemons.js';
import { createFixture, type InboundRun, type MxFixture, sendInbound, startMx } from './mx-fixture.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);

function inbound(port: number, senders: number, total: number): Promise<InboundRun> {
  return sendInbound(port, senders, 4096, total);
}

async function measure(fixture: MxFixture, label: string, env: Record<string, string>): Promise<void> {
  const mx = await startMx(fixture, { MAILYARD_SPAM_ENABLED: 'true', ...env });
  try {
    await inbound(mx.port, 4, Math.round(50 * SCALE));
    for (const [senders, total] of [
      [1, 200],
      [20, 1000],
    ] as const) {
      const r = await inbound(mx.port, senders, Math.round(total * SCALE));
      console.log(
        `${label.padEnd(16)} ${String(senders).padStart(2)} sender(s) 4 KB: ` +
          `${r.rate.toFixed(0).padStart(5)} msg/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms`,
      );
    }
  } finally {
    await mx.stop();
  }
}

const fixture = await createFixture();
const rspamd = await startRspamd();
const clamd = await startClamd({ streamMaxBytes: 25 * 1024 * 1024 });
try {
  const modes: Array<[string, Record<string, string>]> = [
    ['built-in only', {}],
    ['+ rspamd', { MAILYARD_RSPAMD_URL: rspamd.url }],
    ['+ clamd', { MAILYARD_CLAMD_SOCKET: clamd.socket }],
    ['+ rspamd + clamd', { MAILYARD_RSPAMD_URL: rspamd.url, MAILYARD_CLAMD_SOCKET: clamd.socket }],
  ];
  for (const [label, env] of modes) await measure(fixture, label, env);
} finally {
  await clamd.stop();
  await rspamd.stop();
  await fixture.close();
}
