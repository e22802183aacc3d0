/**
 * One "instance" for instances.test.ts: a separate Node process with its own RedisCoordination, doing one role
 * and printing JSON lines on stdout. Times are in ms of process.hrtime (CLOCK_MONOTONIC), which every process on
 * the machine shares; performance.timeOrigin is not exact enough to compare two processes.
 *
 *   instance.ts <redis url> <data dir> locker <rounds>      takes the lock 'shared' <rounds> times, 3 ms each
 *   instance.ts <redis url> <data dir> listener <count>     prints each event of the mailbox until <count>
 *   instance.ts <redis url> <data dir> publisher <count>    publishes <count> events 5 ms apart
 */
import { createLogger } from '@mailyard/logger';
import { createRedisCoordination, type RedisCoordination } from '../src/index.js';

const [url = '', dataDir = '', role = '', countText = '0'] = process.argv.slice(2);
const count = Number(countText);
const box = 'd'.repeat(32);
const clock = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function locker(coordination: RedisCoordination): Promise<void> {
  const held: Array<{ start: number; end: number; token: number }> = [];
  while (held.length < count) {
    const lock = await coordination.locks.acquire('shared', 5_000);
    if (!lock) {
      await sleep(1);
      continue;
    }
    const start = clock();
    await sleep(3);
    held.push({ start, end: clock(), token: lock.token });
    await lock.release();
  }
  print({ held });
}

async function listener(coordination: RedisCoordination): Promise<void> {
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    coordination.events.subscribe(box, (event) => {
      print({ uid: event.uid, receivedAt: clock() });
      seen += 1;
      if (seen === count) resolve();
    });
  });
  print({ subscribed: true });
  await done;
}

async function publisher(coordination: RedisCoordination): Promise<void> {
  const sentAt: number[] = [];
  for (let uid = 1; uid <= count; uid++) {
    sentAt.push(clock());
    coordination.events.publish({ mailboxId: box, folder: 'INBOX', kind: 'added', uid });
    await sleep(5);
  }
  print({ sentAt });
}

const roles: Record<string, (coordination: RedisCoordination) => Promise<void>> = { locker, listener, publisher };
const run = roles[role];
if (!run) throw new Error(`unknown role ${role}`);
const logger = createLogger({ name: `instance-${role}`, level: 'warn', destination: process.stderr });
const coordination = await createRedisCoordination({ url, dataDir, logger });
if (!coordination.shared) throw new Error('Redis not reachable from the instance');
await run(coordination);
await coordination.close();
