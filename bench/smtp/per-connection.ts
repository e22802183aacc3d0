/**
 * SMTP inbound with a new connection per message (the way most sending MTAs and smtp-source deliver), 4 KB
 * messages: sequential, and 20 concurrent senders. Per round it prints the rate and the built MX process's CPU time
 * per message (utime + stime from /proc, the figure to compare on a shared machine), then the medians of the
 * rounds, with the machine's load average. The whole session is paid for each message: connect, greeting, EHLO,
 * MAIL, RCPT, DATA, QUIT.
 * BENCH_ROUNDS sets the rounds (default 5); BENCH_ONLY=sequential|concurrent runs one half; BENCH_SCALE scales the message counts; BENCH_MX_PROF=<dir> writes a
 * CPU profile of the MX (node --cpu-prof) into <dir> when it stops. Build first, then from bench/:
 * node --conditions=source --import tsx smtp/per-connection.ts
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { body, createFixture, DOMAIN, Sender, startMx } from './mx-fixture.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SEQUENTIAL = Math.round(150 * SCALE);
const CONCURRENT = Math.round(600 * SCALE);
const SENDERS = 20;
const TICKS_PER_SECOND = 100;
/** BENCH_ONLY=sequential or =concurrent runs that half alone (a profile of one workload). */
const ONLY = process.env.BENCH_ONLY;

/** User and system ticks of process `pid`, and those of its main thread (JavaScript) apart from the others. */
function cpuSplit(pid: number): { user: number; system: number; mainThread: number } {
  const ticksOf = (path: string) => {
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return { user: Number(fields[11]), system: Number(fields[12]) };
  };
  const all = ticksOf(`/proc/${pid}/stat`);
  const main = ticksOf(`/proc/${pid}/task/${pid}/stat`);
  return { ...all, mainThread: main.user + main.system };
}

/** One message on a connection of its own: connect, EHLO, the transaction, QUIT. */
async function deliverOnce(port: number, i: number): Promise<void> {
  const sender = await Sender.open(port);
  const reply = await sender.send(body(4096, i));
  sender.close();
  if (!reply.startsWith('250')) throw new Error(`message ${i}: ${reply}`);
}

interface Round {
  rate: number;
  cpuMs: number;
  /** Of cpuMs: in the kernel, and on the main thread (the rest ran on libuv's pool: file system calls, crypto). */
  systemMs: number;
  mainThreadMs: number;
}

async function round(port: number, pid: number, senders: number, total: number): Promise<Round> {
  const before = cpuSplit(pid);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < total) await deliverOnce(port, next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = cpuSplit(pid);
  const perMessage = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND / total;
  return {
    rate: total / seconds,
    cpuMs: perMessage(after.user + after.system - before.user - before.system),
    systemMs: perMessage(after.system - before.system),
    mainThreadMs: perMessage(after.mainThread - before.mainThread),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const fixture = await createFixture();
const profileDir = process.env.BENCH_MX_PROF;
const mx = await startMx(fixture, {}, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
const pid = mx.child.pid ?? 0;
try {
  console.log(
    `smtp per-connection bench, 4 KB to inbox@${DOMAIN}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await round(mx.port, pid, SENDERS, Math.round(100 * SCALE));
  const runs = [
    ['sequential', 1, SEQUENTIAL],
    [`${SENDERS} concurrent`, SENDERS, CONCURRENT],
  ] as const;
  for (const [label, senders, total] of runs.filter(([label]) => !ONLY || label.includes(ONLY))) {
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const result = await round(mx.port, pid, senders, total);
      rounds.push(result);
      console.log(
        `  ${label} round ${r + 1}: ${result.rate.toFixed(1)} msg/s, ${result.cpuMs.toFixed(2)} ms CPU/msg ` +
          `(kernel ${result.systemMs.toFixed(2)}, main thread ${result.mainThreadMs.toFixed(2)})`,
      );
    }
    console.log(
      `${label}, 1 connection per message, median of ${ROUNDS} rounds of ${total}: ` +
        `${median(rounds.map((x) => x.rate)).toFixed(1)} msg/s, mx ${median(rounds.map((x) => x.cpuMs)).toFixed(2)} ms CPU/msg`,
    );
  }
  console.log(
    `load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await mx.stop();
  await fixture.close();
}
