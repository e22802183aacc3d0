/**
 * Sieve at delivery: MX throughput (4 KB messages, 20 concurrent senders, 250 = sealed into the spool) with a
 * 50-rule script active for the recipient versus none, and the cost per message. Target (issue 17): at most 10 %
 * slower with the script. The MX runs from source in a child process (sieve-mx-child.ts, built as the mx process
 * builds it, scripts read from the control store); rounds alternate (none, script, none, script ...) after a
 * warm-up, and the median round of each counts. The MX process's CPU time per message (from /proc) is printed
 * beside the rate: on a machine shared with other work it is the measure to compare, as the rate moves with the
 * load of the moment; so is the median of the paired ratios (each script round against the no-script round just
 * before it), which follows the load as it drifts. The engine's own cost (parse and run, warm, in this process)
 * comes last.
 * BENCH_ROUNDS sets the number of counted rounds (default 7); BENCH_MX_PROF=<dir> writes a CPU profile of the MX.
 * From bench/: node --conditions=source --import tsx smtp/sieve.ts   (BENCH_SCALE scales the message counts)
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileScript, RawMessage, runScript } from '@mailyard/sieve';
import { body, createFixture, DOMAIN, MAILBOX_ID, PASSWORD, Sender } from './mx-fixture.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const SENDERS = 20;
const MESSAGES = Math.round(500 * SCALE);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/** Fifty independent rules, every one evaluated for every message (none matches the bench messages): the worst
 *  case of a hand-written rule list, where an if/elsif chain would stop at the first match. A last line flags
 *  the message $Sieved, so the bench can count the messages the script ran on. */
export function fiftyRules(): string {
  const rules: string[] = ['require ["fileinto", "imap4flags", "mailbox"];'];
  for (let i = 0; i < 50; i++) {
    switch (i % 5) {
      case 0:
        rules.push(`if header :contains "subject" "project-${i}" { fileinto :create "Projects/${i}"; }`);
        break;
      case 1:
        rules.push(`if address :domain :is "from" "partner${i}.test" { addflag "\\\\Flagged"; fileinto "Partners"; }`);
        break;
      case 2:
        rules.push(`if header :matches "list-id" "*list${i}.example*" { fileinto :create "Lists/${i}"; stop; }`);
        break;
      case 3:
        rules.push(`if allof (exists "x-ticket-${i}", size :over 1M) { fileinto "Tickets"; }`);
        break;
      default:
        rules.push(`if anyof (header :is "x-priority" "${i}", address :localpart :is "to" "team${i}") { keep; }`);
    }
  }
  // Marks each message the script ran on (implicit keep takes the flag), so the bench can count them after drain.
  rules.push('addflag "$Sieved";');
  return rules.join('\n');
}

interface Round {
  rate: number;
  /** CPU time of the MX process per message, in ms: less sensitive to other load on the machine than the rate. */
  cpuMs: number;
}

async function round(port: number, mxPid: number, offset: number): Promise<Round> {
  const clients = await Promise.all(Array.from({ length: SENDERS }, () => Sender.open(port)));
  let next = 0;
  const started = performance.now();
  const cpu = cpuSeconds(mxPid);
  await Promise.all(
    clients.map(async (client) => {
      while (next < MESSAGES) {
        const i = offset + next++;
        const reply = await client.send(body(4096, i));
        if (!reply.startsWith('250')) throw new Error(`message ${i}: ${reply}`);
      }
    }),
  );
  const rate = MESSAGES / ((performance.now() - started) / 1000);
  const used = cpuSeconds(mxPid) - cpu;
  for (const client of clients) client.close();
  return { rate, cpuMs: (used * 1000) / MESSAGES };
}

/** The engine alone, warm: parse a 4 KB message and run the 50 rules on it, in ms per message (best of 5). */
function engineCost(): number {
  const script = compileScript(fiftyRules());
  const messages = Array.from({ length: 2000 }, (_, i) => body(4096, i));
  const envelope = { from: 's@sender.test', to: `inbox@${DOMAIN}` };
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    for (const raw of messages) runScript(script, new RawMessage(raw), { envelope, now: new Date() });
    best = Math.min(best, (performance.now() - started) / messages.length);
  }
  return best;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** CPU seconds (user + system) the process has used so far, from /proc (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main(): Promise<void> {
  const fixture = await createFixture();
  const { dir, dns, control, mailstore, masterKey } = fixture;
  const child = fork(join(import.meta.dirname, 'sieve-mx-child.ts'), [], {
    env: {
      ...process.env,
      BENCH_DATA_DIR: dir.path,
      BENCH_MASTER_KEY: masterKey.toString('hex'),
      BENCH_DNS: dns.address,
    },
    execArgv: [
      '--conditions=source',
      '--import',
      'tsx',
      ...(process.env.BENCH_MX_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_MX_PROF}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`mx child exited with ${code}`)));
  });
  const mxPid = child.pid ?? 0;
  const alias = (await control.resolveRecipient(`inbox@${DOMAIN}`))?.alias;
  if (!alias) throw new Error('bench alias missing');
  await control.putSieveScript(alias.id, 'rules', fiftyRules());

  const rounds: Record<'none' | 'script', Round[]> = { none: [], script: [] };
  let offset = 0;
  // Round 0 warms up (JIT of the MX and of the Sieve engine, spool directory, statement caches) and is not counted.
  for (let r = 0; r <= ROUNDS; r++) {
    for (const kind of ['none', 'script'] as const) {
      await control.setActiveSieveScript(alias.id, kind === 'script' ? 'rules' : null);
      const result = await round(port, mxPid, offset);
      offset += MESSAGES;
      if (r > 0) rounds[kind].push(result);
      console.log(
        `round ${r === 0 ? 'warm-up' : r} ${kind.padEnd(6)}: ${result.rate.toFixed(0).padStart(5)} msg/s, ` +
          `${result.cpuMs.toFixed(2)} ms CPU/msg`,
      );
    }
  }
  const mid = {
    none: { rate: median(rounds.none.map((x) => x.rate)), cpuMs: median(rounds.none.map((x) => x.cpuMs)) },
    script: { rate: median(rounds.script.map((x) => x.rate)), cpuMs: median(rounds.script.map((x) => x.cpuMs)) },
  };
  const slower = (1 - mid.script.rate / mid.none.rate) * 100;
  const cpuMore = (mid.script.cpuMs / mid.none.cpuMs - 1) * 100;
  const signed = (pct: number, more: string, less: string) => `${Math.abs(pct).toFixed(1)} % ${pct >= 0 ? more : less}`;
  const paired = (of: (x: Round) => number) => median(rounds.script.map((x, i) => of(x) / of(rounds.none[i] as Round)));
  const pairedSlower = (1 - paired((x) => x.rate)) * 100;
  const pairedCpu = (paired((x) => x.cpuMs) - 1) * 100;
  console.log(
    `mx 4 KB, ${SENDERS} senders, median of ${ROUNDS} rounds: no script ${mid.none.rate.toFixed(0)} msg/s, 50-rule script ` +
      `${mid.script.rate.toFixed(0)} msg/s: ${signed(slower, 'slower', 'faster')} (target: at most 10 % slower); ` +
      `CPU per message ${mid.none.cpuMs.toFixed(2)} vs ${mid.script.cpuMs.toFixed(2)} ms (${signed(cpuMore, 'more', 'less')})`,
  );
  console.log(
    `paired rounds (median of ${ROUNDS} script/no-script pairs): ${signed(pairedSlower, 'slower', 'faster')}, ` +
      `CPU per message ${signed(pairedCpu, 'more', 'less')}`,
  );
  console.log(
    `engine alone (parse + run the 50 rules on a 4 KB message, warm): ${engineCost().toFixed(3)} ms per message`,
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const session = await mailstore.open(MAILBOX_ID, PASSWORD);
  const stored = session.listMessages('INBOX');
  const sieved = stored.filter((m) => m.flags.includes('$Sieved')).length;
  console.log(
    `stored after drain: ${stored.length} of ${offset} accepted; ${sieved} flagged by the script ` +
      `(expected ${(ROUNDS + 1) * MESSAGES})`,
  );
  session.close();
  await fixture.close();
}

await main();
