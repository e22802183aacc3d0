/**
 * FileLocks (file-locks.ts), the embedded implementation's locks: two Node processes over one data directory
 * racing for one lock (one holder at any time, fencing tokens increasing in time order across both), then the
 * rules on one file with a clock the test moves: tokens against the clock and across a restart, exact expiry,
 * sweeping, hashed names, the counters' file shared, and what a closed FileLocks does. Prints the time of an
 * acquire + release.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot, tempDir, tsxLoader } from '@mailyard/testkit';
import Database from 'better-sqlite3-multiple-ciphers';
import { expect, test } from 'vitest';
import { FileRateLimitStore } from '../src/file-counters.js';
import { FileLocks } from '../src/file-locks.js';
import { COORDINATION_LIMITS } from '../src/index.js';
import { expectExactLeases } from './lock-rules.js';

const run = promisify(execFile);
const child = join(dirname(fileURLToPath(import.meta.url)), 'file-locks-child.ts');

interface Hold {
  start: number;
  end: number;
  token: number;
}

/** A FileLocks on `path` whose clock the test moves. */
function clocked(path: string, start = 1_000_000) {
  let now = start;
  return { locks: new FileLocks(path, () => now), advance: (ms: number) => (now += ms) };
}

test('two processes racing for one lock: never two holders at once, tokens increasing in time order', async () => {
  await using dir = await tempDir('mailyard-file-locks-');
  const rounds = 200;
  const startAt = String(Date.now() + 2_000);
  const outputs = await Promise.all(
    [0, 1].map(() =>
      run(process.execPath, ['--conditions=source', '--import', tsxLoader(), child, dir.path, startAt, `${rounds}`], {
        cwd: repoRoot(),
        timeout: 50_000,
      }),
    ),
  );
  const results = outputs.map(({ stdout }) => JSON.parse(stdout) as { held: Hold[]; refused: number });
  for (const result of results) expect(result.held).toHaveLength(rounds);
  // Both processes were refused while the other held it: they really raced.
  for (const result of results) expect(result.refused).toBeGreaterThan(0);
  const held = results
    .flatMap((result, child) => result.held.map((hold) => ({ ...hold, child })))
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < held.length; i++) {
    const [before, after] = [held[i - 1] as Hold, held[i] as Hold];
    expect(after.start).toBeGreaterThanOrEqual(before.end);
    expect(after.token).toBeGreaterThan(before.token);
  }
  expect(held.every((hold) => Number.isSafeInteger(hold.token))).toBe(true);
  // The holds interleave between the processes, not one process's 200 and then the other's.
  const switches = held.filter((hold, i) => i > 0 && hold.child !== held[i - 1]?.child).length;
  expect(switches).toBeGreaterThan(10);
  const db = new Database(join(dir.path, 'coordination', 'counters.db'), { readonly: true });
  try {
    expect(db.prepare('SELECT count(*) AS n FROM locks').get()).toEqual({ n: 0 });
  } finally {
    db.close();
  }
}, 60_000);

test('tokens: never below the clock in tokensPerMs steps, increasing within a millisecond and across a restart', async () => {
  await using dir = await tempDir('mailyard-file-locks-');
  const path = join(dir.path, 'coordination', 'counters.db');
  const { locks } = clocked(path);
  const a = await locks.acquire('a', 1_000);
  const b = await locks.acquire('b', 1_000);
  expect(a?.token).toBe(1_000_000 * COORDINATION_LIMITS.tokensPerMs);
  expect(b?.token).toBe((a?.token ?? 0) + 1);
  await a?.release();
  locks.close();
  // A restart at the same clock reading: the fence row in the file still keeps the next token above.
  const { locks: restarted, advance } = clocked(path);
  const again = await restarted.acquire('a', 1_000);
  expect(again?.token).toBe((b?.token ?? 0) + 1);
  expect(await restarted.acquire('b', 1_000)).toBeNull();
  advance(5);
  expect((await restarted.acquire('c', 1_000))?.token).toBe(1_000_005 * COORDINATION_LIMITS.tokensPerMs);
  restarted.close();
});

test('a lease ends exactly at its ttl; extend and release act only for the current holder', async () => {
  await using dir = await tempDir('mailyard-file-locks-');
  const { locks, advance } = clocked(join(dir.path, 'coordination', 'counters.db'));
  await expectExactLeases(locks, advance);
  locks.close();
});

test('expired leases are swept; names are stored hashed; the counters share the file; the directory is 0700', async () => {
  await using dir = await tempDir('mailyard-file-locks-');
  const path = join(dir.path, 'coordination', 'counters.db');
  const { locks, advance } = clocked(path);
  const name = 'pop3-maildrop:0123456789abcdef0123456789abcdef';
  for (let i = 0; i < 100; i++) await locks.acquire(`${name}-${i}`, 1_000);
  const counters = new FileRateLimitStore(path);
  expect((await counters.increment('counted', 60_000, 2)).count).toBe(2);
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT name FROM locks').all() as Array<{ name: string }>;
    expect(rows).toHaveLength(100);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.name))).toBe(true);
    advance(COORDINATION_LIMITS.lockSweepIntervalMs);
    await locks.acquire(name, 1_000);
    expect(db.prepare('SELECT count(*) AS n FROM locks').get()).toEqual({ n: 1 });
  } finally {
    db.close();
  }
  locks.close();
  counters.close();
  expect(readFileSync(path).includes('0123456789abcdef')).toBe(false);
  expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
});

test('closed: a held lease is left to its ttl, extend is false, acquire rejects', async () => {
  await using dir = await tempDir('mailyard-file-locks-');
  const path = join(dir.path, 'coordination', 'counters.db');
  const { locks, advance } = clocked(path);
  const lock = await locks.acquire('x', 1_000);
  locks.close();
  await lock?.release();
  expect(await lock?.extend()).toBe(false);
  await expect(locks.acquire('x', 1_000)).rejects.toThrow(/closed/);
  const { locks: other } = clocked(path);
  expect(await other.acquire('x', 1_000)).toBeNull();
  advance(1_000);
  const { locks: later } = clocked(path, 1_001_000);
  expect(await later.acquire('x', 1_000)).not.toBeNull();
  other.close();
  later.close();
});

test('acquire + release time (printed)', async () => {
  await using dir = await tempDir('mailyard-file-locks-');
  const locks = new FileLocks(join(dir.path, 'coordination', 'counters.db'));
  const count = 2_000;
  for (let i = 0; i < 200; i++) await (await locks.acquire(`warm-${i % 10}`, 10_000))?.release();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const lock = await locks.acquire(`pop3-maildrop:${i % 50}`, 10_000);
    if (!lock) throw new Error('lock not acquired');
    await lock.release();
  }
  const micros = ((performance.now() - started) * 1_000) / count;
  console.log(`FileLocks acquire + release: ${micros.toFixed(1)} µs (${count} pairs, one process)`);
  locks.close();
});
