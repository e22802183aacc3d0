/**
 * MX memory with large messages: the RSS of the built MX process (apps/smtp/dist/main.js) while it receives one
 * 45 MB message, then three 45 MB messages at once (a fresh process each, so the peak is that case's own), with
 * the time to the 250 reply. The MX must keep well under the PM2 restart line of ecosystem.config.cjs (512 MB
 * for mx) and well under twice the message per message. Build first (turbo run build --filter=@mailyard/smtp...),
 * then from bench/: node --conditions=source --import tsx smtp/large-messages.ts (BENCH_LARGE_MB changes the size).
 */
import { body, createFixture, type MxFixture, rssMb, Sender, startMx } from './mx-fixture.js';

const MESSAGE_MB = Number(process.env.BENCH_LARGE_MB ?? 45);
const SAMPLE_MS = 20;

async function sendConcurrently(fixture: MxFixture, count: number): Promise<void> {
  const mx = await startMx(fixture);
  const pid = mx.child.pid ?? 0;
  const idle = rssMb(pid).rss;
  const messages = Array.from({ length: count }, (_, i) => body(MESSAGE_MB * 1024 * 1024, i));
  const clients = await Promise.all(messages.map(() => Sender.open(mx.port)));
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, rssMb(pid).rss);
  }, SAMPLE_MS);
  const started = performance.now();
  const replies = await Promise.all(clients.map((client, i) => client.send(messages[i] as Buffer)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  for (const client of clients) client.close();
  const { peak } = rssMb(pid);
  await mx.stop();
  const refused = replies.filter((reply) => !reply.startsWith('250'));
  console.log(
    `mx ${count} x ${MESSAGE_MB} MB at once: idle RSS ${idle.toFixed(0)} MB, peak RSS ${Math.max(peak, sampledPeak).toFixed(0)} MB` +
      ` (${((Math.max(peak, sampledPeak) - idle) / count).toFixed(0)} MB per message above idle), all 250 after ${seconds.toFixed(1)} s` +
      (refused.length > 0 ? `; REFUSED: ${refused.join(' | ')}` : ''),
  );
}

async function main(): Promise<void> {
  const fixture = await createFixture();
  try {
    await sendConcurrently(fixture, 1);
    await sendConcurrently(fixture, 3);
  } finally {
    await fixture.close();
  }
}

await main();
