/**
 * Child process for file-locks.test.ts: an embedded coordination over <dataDir>, as one imap instance has. Waits
 * until <startAt> (epoch ms) so that every child starts together (racing to create counters.db too), then two
 * workers in this process take the lock 'race' until <rounds> holds are done, each held for about 1 ms, and prints
 * one JSON line: every hold's start and end (ms of process.hrtime, CLOCK_MONOTONIC, which every process on the
 * machine shares) and its fencing token, and how many acquisitions were refused.
 */
import { EmbeddedCoordination } from '../src/index.js';

const [dataDir = '', startAt = '0', roundsText = '1'] = process.argv.slice(2);
const rounds = Number(roundsText);
const clock = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const coordination = new EmbeddedCoordination({ dataDir });
const held: Array<{ start: number; end: number; token: number }> = [];
let refused = 0;
let taken = 0;

async function worker(): Promise<void> {
  while (taken < rounds) {
    const lock = await coordination.locks.acquire('race', 5_000);
    if (!lock) {
      refused += 1;
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    if (taken === rounds) {
      await lock.release();
      break;
    }
    taken += 1;
    const start = clock();
    await sleep(1);
    held.push({ start, end: clock(), token: lock.token });
    await lock.release();
    // Let the other process in now and then, so the holds interleave between the processes.
    await sleep(taken % 3);
  }
}

await sleep(Math.max(0, Number(startAt) - Date.now()));
await Promise.all([worker(), worker()]);
await coordination.close();
process.stdout.write(`${JSON.stringify({ held, refused })}\n`);
