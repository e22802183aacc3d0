/**
 * Spool drain with the mailbox's spam learning on and off (packages/mailstore/src/bayes.ts): prints msg/s of
 * draining the same 4 KB messages into mailboxes trained alike, by a store with learning off and by one with it on
 * (every message bound for INBOX is scored), the latter also into a mailbox whose token table was filled to about
 * its cap, and the share of throughput learning costs, per second of wall time and per second of CPU time (the
 * latter steadier when other work shares the machine). The mailboxes are trained through the store's MOVE into and
 * out of Junk: TRAIN spam samples and TRAIN ordinary messages of a 5,000-word vocabulary; the full one also FILLER
 * messages of words seen nowhere else. Encrypted store, real SQLite.
 * Run from the repo root: node --conditions=source --import tsx bench/mailstore/spam-learning.ts
 * Sizes scale with BENCH_SCALE (default 1 = 2,000 messages drained per run); BENCH_RUNS runs each way (default 5),
 * in alternating order.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MailboxSession, Mailstore } from '@mailyard/mailstore';
import { spamSamples } from '@mailyard/testkit';
import { message as vocabularyMessage } from './vocabulary.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const DRAINED = Math.round(2000 * SCALE);
const TRAIN = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FILLER = 470;
/** An ordinary 4 KB message of the vocabulary, from one of 300 senders to one recipient. */
function message(i: number): Buffer {
  return vocabularyMessage(i, 4096, { sender: i % 300, to: 'rcpt@example.net' });
}

/** Ham of 200 words never seen elsewhere: FILLER of them take the token table to about its 100,000-row cap. */
function rareWords(): Buffer {
  const words = Array.from({ length: 200 }, () => randomBytes(5).toString('hex'));
  return Buffer.from(
    `From: Someone <someone@example.org>\r\nTo: rcpt@example.net\r\nSubject: Notes\r\n` +
      `Message-ID: <rare-${randomBytes(6).toString('hex')}@example.org>\r\n\r\n${words.join(' ')}\r\n`,
  );
}

async function fillTable(s: MailboxSession): Promise<void> {
  for (let i = 0; i < FILLER; i++) {
    const { uid } = await s.append('Junk', rareWords());
    s.move('Junk', [uid], 'Archive');
  }
}

async function train(s: MailboxSession): Promise<void> {
  for (const raw of spamSamples(TRAIN, 1)) {
    const { uid } = await s.append('INBOX', raw);
    s.move('INBOX', [uid], 'Junk');
  }
  for (let i = 0; i < TRAIN; i++) {
    const { uid } = await s.append('Junk', message(100_000 + i));
    s.move('Junk', [uid], 'INBOX');
  }
}

interface DrainRun {
  /** Messages per second of wall time. */
  wall: number;
  /** Messages per second of this process's CPU time (user + system): steadier on a busy machine. */
  cpu: number;
}

/** Delivers the batch into the spool (not timed), then times the drain that an unlock runs. */
async function drainRate(store: Mailstore, id: string, batch: Buffer[]): Promise<DrainRun> {
  for (let i = 0; i < batch.length; i += 50) {
    await Promise.all(batch.slice(i, i + 50).map((raw) => store.deliver(id, raw)));
  }
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const s = await store.open(id, 'pw');
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  s.close();
  await store.close(); // closes the handle, so the next run unlocks and drains again
  return { wall: (batch.length / ms) * 1000, cpu: (batch.length / (cpu.user + cpu.system)) * 1e6 };
}

const MODES = ['off', 'on', 'full'] as const;
type Mode = (typeof MODES)[number];

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'mailyard-bench-learning-'));
  try {
    const make = (enabled: boolean) =>
      new Mailstore({ dataDir: root, idleCloseMs: 60_000, kdf: { N: 1024 }, spamLearning: { enabled } });
    const setup = make(true);
    for (const id of MODES) {
      await setup.createMailbox(id, 'pw');
      const s = await setup.open(id, 'pw');
      await train(s);
      if (id === 'full') await fillTable(s);
      if (id !== 'off') console.log(`mailbox "${id}":`, JSON.stringify(s.spamLearning()));
      s.close();
    }
    await setup.close();

    console.log(`\n## Drain of ${DRAINED} x 4 KB (95% ordinary, 5% spam samples), ${RUNS} runs each, alternating`);
    const runs: Record<Mode, DrainRun[]> = { off: [], on: [], full: [] };
    for (let run = 0; run < RUNS; run++) {
      const spam = spamSamples(Math.round(DRAINED * 0.05), 10_000 + run * DRAINED);
      const batch = Array.from({ length: DRAINED - spam.length }, (_, i) => message(run * DRAINED + i));
      batch.push(...spam);
      const order = run % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) runs[mode].push(await drainRate(make(mode !== 'off'), mode, batch));
    }
    const check = make(true);
    const s = await check.open('on', 'pw');
    const filed = s.listMessages('Junk').length - TRAIN;
    s.close();
    await check.close();

    const label: Record<Mode, string> = {
      off: 'learning off:                ',
      on: 'learning on, 6,400 tokens:   ',
      full: 'learning on, ~100,000 tokens:',
    };
    for (const measure of ['wall', 'cpu'] as const) {
      const unit = measure === 'wall' ? 'msg/s' : 'msg per CPU-second';
      const off = median(runs.off.map((r) => r[measure]));
      for (const mode of MODES) {
        const rate = median(runs[mode].map((r) => r[measure]));
        const cost = mode === 'off' ? '' : `, cost ${(((off - rate) / off) * 100).toFixed(1)}%`;
        const list = runs[mode].map((r) => r[measure].toFixed(0)).join(', ');
        console.log(`${label[mode]} ${rate.toFixed(0)} ${unit} (median${cost}; runs: ${list})`);
      }
    }
    console.log(`filed into Junk by the drain: ${filed} of ${RUNS * Math.round(DRAINED * 0.05)} spam samples`);

    // One delivery, then an unlock that drains it: a drain this small looks its tokens up in SQLite.
    console.log('\n## Unlock and drain of one message, median of 9');
    for (const mode of MODES) {
      const times: number[] = [];
      for (let i = 0; i < 9; i++) {
        const store = make(mode !== 'off');
        await store.deliver(mode, message(900_000 + i));
        const start = performance.now();
        (await store.open(mode, 'pw')).close();
        times.push(performance.now() - start);
        await store.close();
      }
      console.log(`${label[mode]} ${median(times).toFixed(1)} ms`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
