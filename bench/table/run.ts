/**
 * The table of issue 15 against Mailyard alone: the server runs as `npm start` runs it (pm2-runtime over the
 * ecosystem file and the built apps, see server.ts) on a temp data dir with every port 0 and default limits, and
 * each figure is printed beside the Postfix + Dovecot figure of the issue and the goal:
 * - whole server at rest: RSS and PSS summed over every process (PM2 included) and CPU over IDLE_SECONDS, measured
 *   first, on the fresh server; then the same per process;
 * - SMTP inbound, one connection per 4 KB message, sequential (smtp-source's default);
 * - SMTP inbound, 20 concurrent sessions (a connection per message), until visible to a logged-in IMAP session
 *   that polls STATUS every 100 ms: accepted rate, visible rate and the lag after the last 250;
 * - POP3 STAT + RETR of 100 messages (after login);
 * - SELECT INBOX, FETCH 1:* (UID FLAGS), FETCH 1:1000 BODY.PEEK[] on a 20,000-message INBOX filled through the
 *   store's ingest (medians of warm runs);
 * - 500 IDLE connections (10 per mailbox): RSS and PSS growth of the imap process.
 * POP3 and IMAP figures also print the CPU time the server process spent per operation (from /proc, over all
 * runs): on a busy machine wall time grows with the load of other work, CPU time tells a slower server from that.
 * The MX's spam checks (spam.enabled) are off: the table compares delivery itself with Postfix + Dovecot,
 * which ran without a content filter; docs/spam.md gives their own cost.
 * Build first (npx -y pnpm@10.34.8 build): the benchmark itself imports the built packages too (no source
 * condition), so the data directory it prepares has the schemas of the code the server runs.
 * `npm run bench:table` (root) or `pnpm run table` (bench/); `--quick` runs smaller sizes (2,000-message INBOX,
 * 15 s at rest, fewer messages) for a fast check; `--rest-only` stops after the figures at rest, measured over two
 * windows one after the other (the first after start, then the next).
 * Clients use source addresses in 127.0.1.0/24 so per-IP limits see many hosts (wire.ts).
 */
import { join } from 'node:path';
import { startDnsServer, tempDir } from '@mailyard/testkit';
import { createBenchData, DOMAIN, message, PASSWORD } from './data.js';
import { CLOCK_TICKS_PER_SECOND, cpuTicksOf, memoryOf, type ServerProcess } from './processes.js';
import { type RunningServer, startServer } from './server.js';
import { imapLogin, smtpDeliver, sourceAddresses, Wire } from './wire.js';

const QUICK = process.argv.includes('--quick');
/** Only the whole server at rest (memory and CPU per process), for docs/operations.md and for trying flags. */
const REST_ONLY = process.argv.includes('--rest-only');
const SIZES = {
  bigMessages: QUICK || REST_ONLY ? 2_000 : 20_000,
  popMessages: 100,
  idleMailboxes: 50,
  idleConnections: QUICK ? 100 : 500,
  idleSeconds: QUICK ? 15 : 60,
  sequentialMessages: QUICK ? 60 : 300,
  concurrentMessages: QUICK ? 400 : 2_000,
  concurrency: 20,
};

interface Row {
  measure: string;
  reference: string;
  value: string;
  goal: string;
  met: boolean | null;
}

const rows: Row[] = [];

function row(measure: string, reference: string, value: string, goal: string, met: boolean | null): void {
  rows.push({ measure, reference, value, goal, met });
  console.log(`  ${measure}: ${value} (goal ${goal})`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Wall times of `runs` runs of `work`, and the CPU milliseconds process `pid` spent per run meanwhile. */
async function measured(
  pid: number,
  runs: number,
  work: () => Promise<unknown>,
): Promise<{ wall: number[]; cpuMs: number }> {
  const before = cpuTicksOf(pid);
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) wall.push(await timed(work));
  return { wall, cpuMs: ((cpuTicksOf(pid) - before) * 1000) / CLOCK_TICKS_PER_SECOND / runs };
}

/** Waits (up to `limitMs`) until process `pid` used under 3% of a core over each of two seconds in a row. */
async function untilQuiet(pid: number, limitMs = 180_000): Promise<void> {
  const giveUp = Date.now() + limitMs;
  let quiet = 0;
  while (quiet < 2 && Date.now() < giveUp) {
    const before = cpuTicksOf(pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    quiet = cpuTicksOf(pid) - before < 0.03 * CLOCK_TICKS_PER_SECOND ? quiet + 1 : 0;
  }
}

function pidOf(server: RunningServer, name: string): number {
  const proc = server.processes().find((p: ServerProcess) => p.name === name);
  if (!proc) throw new Error(`no ${name} process`);
  return proc.pid;
}

const mb = (kb: number) => kb / 1024;

/** Memory of every server process now, and the CPU each used over `seconds` of rest. */
async function atRest(server: RunningServer, seconds: number, label = ''): Promise<void> {
  const procs = server.processes();
  const before = new Map(procs.map((p) => [p.pid, cpuTicksOf(p.pid)]));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  let rss = 0;
  let pss = 0;
  let ticks = 0;
  const lines: string[] = [];
  for (const p of procs) {
    const mem = memoryOf(p.pid);
    const used = cpuTicksOf(p.pid) - (before.get(p.pid) ?? 0);
    rss += mem.rssKb;
    pss += mem.pssKb;
    ticks += used;
    const cpu = (100 * used) / CLOCK_TICKS_PER_SECOND / seconds;
    lines.push(
      `    ${p.name.padEnd(12)} pid ${String(p.pid).padEnd(8)} RSS ${mb(mem.rssKb).toFixed(1).padStart(6)} MB` +
        `  PSS ${mb(mem.pssKb).toFixed(1).padStart(6)} MB  CPU ${cpu.toFixed(2).padStart(5)} %`,
    );
  }
  const cpu = (100 * ticks) / CLOCK_TICKS_PER_SECOND / seconds;
  row(
    `whole server at rest${label}, ${procs.length} processes: RSS / PSS`,
    '405 MB / 73 MB',
    `${mb(rss).toFixed(0)} MB / ${mb(pss).toFixed(0)} MB`,
    '<= 400 MB / <= 250 MB',
    mb(rss) <= 400 && mb(pss) <= 250,
  );
  row(
    `CPU of the whole server at rest${label} (${seconds} s)`,
    '~0',
    `${cpu.toFixed(2)} % of a core`,
    '< 0.5 %',
    cpu < 0.5,
  );
  console.log(lines.join('\n'));
}

async function smtpSequential(port: number, pid: number, to: string, count: number): Promise<void> {
  const source = sourceAddresses(50);
  const before = cpuTicksOf(pid);
  const ms = await timed(async () => {
    for (let i = 0; i < count; i++) {
      const reply = await smtpDeliver(port, source(), to, message(i, to));
      if (!reply.startsWith('250')) throw new Error(`message ${i}: ${reply}`);
    }
  });
  const rate = count / (ms / 1000);
  const cpuMs = ((cpuTicksOf(pid) - before) * 1000) / CLOCK_TICKS_PER_SECOND / count;
  row(
    'SMTP inbound, 1 connection per message, sequential',
    '136 msg/s',
    `${rate.toFixed(1)} msg/s [${count} msgs; mx CPU ${cpuMs.toFixed(2)} ms each]`,
    '>= 170 msg/s',
    rate >= 170,
  );
}

/** Polls STATUS INBOX (MESSAGES) every 100 ms until it reaches `target`; resolves with when it did. */
async function pollUntil(wire: Wire, target: number, timeoutMs: number): Promise<number> {
  const giveUp = performance.now() + timeoutMs;
  let n = 0;
  while (performance.now() < giveUp) {
    const reply = await wire.imap(`P${n++}`, 'STATUS INBOX (MESSAGES)');
    if (Number(/MESSAGES (\d+)/.exec(reply)?.[1] ?? 0) >= target) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`STATUS did not reach ${target} within ${timeoutMs} ms`);
}

async function smtpConcurrent(ports: RunningServer['ports'], to: string, count: number, sessions: number) {
  const watcher = await imapLogin(ports.imap, to, PASSWORD);
  const base = Number(/MESSAGES (\d+)/.exec(await watcher.imap('S', 'STATUS INBOX (MESSAGES)'))?.[1] ?? 0);
  const source = sourceAddresses(50);
  let next = 0;
  const started = performance.now();
  const visible = pollUntil(watcher, base + count, 300_000);
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      while (next < count) {
        const i = next++;
        const reply = await smtpDeliver(ports.mx, source(), to, message(100_000 + i, to));
        if (!reply.startsWith('250')) throw new Error(`message ${i}: ${reply}`);
      }
    }),
  );
  const accepted = performance.now();
  const seen = await visible;
  watcher.close();
  const acceptedRate = count / ((accepted - started) / 1000);
  const visibleRate = count / ((seen - started) / 1000);
  row(
    `SMTP inbound, ${sessions} concurrent sessions, until visible over IMAP`,
    '151 msg/s',
    `${visibleRate.toFixed(1)} msg/s visible (${acceptedRate.toFixed(1)} accepted, last visible ` +
      `${((seen - accepted) / 1000).toFixed(2)} s after the last 250) [${count} msgs]`,
    '>= 300 msg/s',
    visibleRate >= 300,
  );
}

async function pop3(port: number, pid: number, user: string, count: number): Promise<void> {
  const runs: number[] = [];
  let cpuTicks = 0;
  for (let run = 0; run < 5; run++) {
    const wire = new Wire(port);
    await wire.until(/^\+OK/m);
    wire.write(`USER ${user}\r\n`);
    await wire.until(/^[+-]/m);
    wire.write(`PASS ${PASSWORD}\r\n`);
    const pass = await wire.until(/^[+-]/m);
    if (!pass.startsWith('+OK')) throw new Error(`POP3 login: ${pass}`);
    const before = cpuTicksOf(pid);
    runs.push(
      await timed(async () => {
        wire.write('STAT\r\n');
        await wire.until(/^\+OK \d+ \d+/m);
        for (let i = 1; i <= count; i++) {
          wire.write(`RETR ${i}\r\n`);
          await wire.until(/^\.$/m);
        }
      }),
    );
    cpuTicks += cpuTicksOf(pid) - before;
    wire.write('QUIT\r\n');
    await wire.until(/^\+OK/m);
    wire.close();
  }
  const ms = median(runs);
  const cpuMs = (cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND / runs.length;
  row(
    `POP3 STAT + RETR of ${count} messages`,
    '16 ms',
    `${ms.toFixed(1)} ms (median of ${runs.length}; imap process CPU (serving POP3) ${cpuMs.toFixed(1)} ms each)`,
    '<= 16 ms',
    ms <= 16,
  );
}

async function imapFigures(port: number, pid: number, user: string, size: number): Promise<void> {
  const wire = await imapLogin(port, user, PASSWORD);
  let bytes = 0;
  const first = await timed(() => wire.imap('A', 'SELECT INBOX'));
  const select = await measured(pid, 20, () => wire.imap('A', 'SELECT INBOX'));
  const flags = await measured(pid, 10, () => wire.imap('B', 'FETCH 1:* (UID FLAGS)'));
  const bodies = await measured(pid, 5, async () => {
    bytes = (await wire.imap('C', 'FETCH 1:1000 (BODY.PEEK[])')).length;
  });
  wire.close();
  const s = median(select.wall);
  const f = median(flags.wall);
  const b = median(bodies.wall);
  const cpu = (ms: number) => `imap CPU ${ms.toFixed(1)} ms each`;
  row(
    `SELECT INBOX (${size} messages)`,
    '1.5 ms',
    `${s.toFixed(1)} ms (first ${first.toFixed(1)} ms; ${cpu(select.cpuMs)})`,
    '<= 1.5 ms',
    s <= 1.5,
  );
  row('FETCH 1:* (UID FLAGS)', '21 ms', `${f.toFixed(1)} ms (${cpu(flags.cpuMs)})`, '<= 21 ms', f <= 21);
  row(
    'FETCH 1:1000 BODY.PEEK[]',
    '90 ms',
    `${b.toFixed(1)} ms (${(bytes / 1048576).toFixed(1)} MB; ${cpu(bodies.cpuMs)})`,
    '<= 72 ms',
    b <= 72,
  );
}

async function idleConnections(server: RunningServer, users: string[], count: number): Promise<void> {
  const imap = pidOf(server, 'imap');
  const before = memoryOf(imap);
  const source = sourceAddresses(20);
  const wires: Wire[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, n) => {
        const wire = await imapLogin(server.ports.imap, users[(i + n) % users.length] ?? '', PASSWORD, source());
        await wire.imap('S', 'SELECT INBOX');
        wire.write('I IDLE\r\n');
        await wire.until(/^\+ /m);
        return wire;
      }),
    );
    wires.push(...batch);
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = memoryOf(imap);
  for (const wire of wires) wire.close();
  const perConnection = (after.rssKb - before.rssKb) / count;
  row(
    `${count} IDLE connections (imap process RSS / PSS growth)`,
    '5.3 MB RSS each (Dovecot)',
    `+${mb(after.rssKb - before.rssKb).toFixed(1)} MB / +${mb(after.pssKb - before.pssKb).toFixed(1)} MB ` +
      `(${perConnection.toFixed(0)} KB RSS each; ${mb(after.rssKb).toFixed(0)} MB in all)`,
    'no measurable memory each',
    null,
  );
}

function printTable(): void {
  console.log('\n| measure | Postfix+Dovecot (issue 15) | Mailyard | goal | met |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const met = r.met === null ? '' : r.met ? 'yes' : 'no';
    console.log(`| ${r.measure} | ${r.reference} | ${r.value} | ${r.goal} | ${met} |`);
  }
}

async function main(): Promise<void> {
  console.log(`mailyard table benchmark${QUICK ? ' (--quick)' : ''}, ${new Date().toISOString()}`);
  const dir = await tempDir('mailyard-bench-table-');
  const dns = await startDnsServer();
  dns.table.txt.set('sender.test', [['v=spf1 ip4:127.0.0.0/8 -all']]);
  let server: RunningServer | undefined;
  try {
    const data = await createBenchData(dir.path, SIZES);
    console.log(
      `data: ${SIZES.bigMessages}-message INBOX filled through the store in ${data.fillSeconds.toFixed(1)} s`,
    );
    const started = performance.now();
    server = await startServer({
      MAILYARD_DATA_DIR: dir.path,
      PM2_HOME: join(dir.path, 'pm2'),
      MAILYARD_DNS_RESOLVER: dns.address,
      MAILYARD_HOSTNAME: `mx.${DOMAIN}`,
      MAILYARD_ALLOW_INSECURE_AUTH: 'true',
      MAILYARD_SPAM_ENABLED: 'false',
    });
    console.log(
      `server up in ${((performance.now() - started) / 1000).toFixed(1)} s, ports ${JSON.stringify(server.ports)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await atRest(server, SIZES.idleSeconds);
    // --rest-only: the same figures over the next window too. The first holds what a fresh process does once
    // (V8's memory reducer runs three full collections in each about 25 s after start, 30-100 ms of CPU each
    // process); the second is the server as it stays at rest.
    if (REST_ONLY) await atRest(server, SIZES.idleSeconds, ' (next window)');
    if (REST_ONLY) return printTable();
    await smtpSequential(server.ports.mx, pidOf(server, 'mx'), data.users.sink, SIZES.sequentialMessages);
    await smtpConcurrent(server.ports, data.users.sink, SIZES.concurrentMessages, SIZES.concurrency);
    // The imap process indexes the text of the mail just delivered (the watcher kept the sink mailbox open) in
    // short background turns; the POP3 and IMAP figures wait until it is done, as on a server between bursts.
    await untilQuiet(pidOf(server, 'imap'));
    await pop3(server.ports.pop3, pidOf(server, 'imap'), data.users.pop, SIZES.popMessages);
    await imapFigures(server.ports.imap, pidOf(server, 'imap'), data.users.big, SIZES.bigMessages);
    await idleConnections(server, data.users.idle, SIZES.idleConnections);
    printTable();
  } finally {
    await server?.stop();
    await dns.close();
    await dir.cleanup();
  }
}

await main();
