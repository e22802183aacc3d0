/**
 * Mail store benchmark: prints deliveries/s into the sealed spool, drain (ingest) rate, unlock time, SELECT
 * and FETCH FLAGS of a 100,000-message folder, and FTS search over 50,000 messages, encrypted and (for the
 * overhead) unencrypted. Run from the repo root: node --conditions=source --import tsx bench/mailstore/run.ts
 * Sizes scale with BENCH_SCALE (default 1).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mailstore } from '@mailyard/mailstore';
import {
  commitMessage,
  copyMessages,
  createDefaultFolders,
  type FolderRef,
  findFolder,
  headerMatchFunction,
  indexAllPending,
  ListingCache,
  openDatabase,
  prepareMessage,
  searchFolder,
  storeFlags,
} from '@mailyard/mailstore/internals';
import { untilEventLoopQuiet } from '../quiet.js';
import { message, WORDS } from './vocabulary.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

async function deliveryRate(store: Mailstore, ids: string[], bytes: number, count: number, concurrency: number) {
  const raws = Array.from({ length: 50 }, (_, i) => message(i, bytes));
  let next = 0;
  const [, ms] = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        while (next < count) {
          const n = next++;
          await store.deliver(ids[(w + n) % ids.length] as string, raws[n % raws.length] as Buffer);
        }
      }),
    ),
  );
  return (count / ms) * 1000;
}

async function spoolBench(dir: string): Promise<void> {
  const store = new Mailstore({ dataDir: dir, kdf: { N: 1024 } });
  const ids = Array.from({ length: 20 }, (_, i) => `deliv${i}`);
  for (const id of ids) await store.createMailbox(id, 'pw');
  console.log('\n## Delivery into the sealed spool (fsynced before resolving)');
  for (const [bytes, label, n] of [
    [4096, '4 KB', 1500],
    [102_400, '100 KB', 400],
  ] as const) {
    const count = Math.round(n * SCALE);
    const one = await deliveryRate(store, ['deliv0'], bytes, count, 1);
    const same = await deliveryRate(store, ['deliv0'], bytes, count, 20);
    const spread = await deliveryRate(store, ids, bytes, count, 20);
    console.log(
      `${label.padEnd(7)} 1 concurrent: ${fmt(one, 0)} msg/s | 20 concurrent, one mailbox: ${fmt(same, 0)} msg/s | ` +
        `20 concurrent, 20 mailboxes: ${fmt(spread, 0)} msg/s`,
    );
  }
  await store.close();
}

async function drainAndUnlockBench(dir: string): Promise<void> {
  const store = new Mailstore({ dataDir: dir, idleCloseMs: 60_000 });
  await store.createMailbox('drain', 'correct horse');
  const count = Math.round(2000 * SCALE);
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => store.deliver('drain', message(i + j, 4096))));
  }
  const [session, ms] = await timed(() => store.open('drain', 'correct horse'));
  console.log('\n## Drain (unseal + index + commit into INBOX)');
  const [, searchMs] = await timed(() => session.search('INBOX', { key: 'text', value: 'message' }).length);
  console.log(`${count} x 4 KB drained (visible in INBOX) in ${fmt(ms, 0)} ms: ${fmt((count / ms) * 1000, 0)} msg/s`);
  console.log(
    `SEARCH TEXT right after the drain (what is not indexed yet is searched where it waits): ${fmt(searchMs, 0)} ms`,
  );
  // The rest of the index is built in the background while the mailbox is open: let it finish, so the logins
  // below are timed on a mailbox at rest (a login during the indexing waits for its turns).
  const [, quietMs] = await timed(() => untilEventLoopQuiet());
  console.log(
    `the rest of the index built in the background: the event loop was quiet again ${fmt(quietMs / 1000, 1)} s later ` +
      '(the last 1 s of it is the check for quiet)',
  );
  session.close();
  await store.close();

  console.log('\n## Unlock (open) with the default scrypt cost (N=16384, r=8)');
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) {
    const fresh = new Mailstore({ dataDir: dir, idleCloseMs: 60_000 });
    const [s1, c] = await timed(() => fresh.open('drain', 'correct horse'));
    cold.push(c);
    for (let j = 0; j < 10; j++) {
      const [s2, w] = await timed(() => fresh.open('drain', 'correct horse'));
      warm.push(w);
      s2.close();
    }
    s1.close();
    await fresh.close();
  }
  console.log(
    `first login in a process (scrypt + open db): p50 ${fmt(percentile(cold, 50))} ms, p99 ${fmt(percentile(cold, 99))} ms`,
  );
  console.log(
    `repeat login, mailbox held (keyed-hash check): p50 ${fmt(percentile(warm, 50), 2)} ms, p99 ${fmt(percentile(warm, 99), 2)} ms`,
  );
}

interface Workload {
  ingestPerSec: number;
  visiblePerSec: number;
  select: number;
  selectWarm: number;
  selectPatched: number;
  fetchFlags: number;
  fts: number[];
  ftsHits: number[];
}

async function largeFolderBench(path: string, encrypted: boolean): Promise<Workload> {
  const db = openDatabase(path, encrypted ? randomBytes(32) : null);
  db.function('mailyard_header_match', { deterministic: true }, (h, f, n) =>
    headerMatchFunction(String(h), String(f), String(n)),
  );
  createDefaultFolders(db);
  const inbox = findFolder(db, 'INBOX') as FolderRef;
  db.prepare(`INSERT INTO folders (path, path_key, uid_validity) VALUES ('Big', 'Big', 1)`).run();
  const big = findFolder(db, 'Big') as FolderRef;
  const unique = Math.round(50_000 * SCALE);
  const quotaBytes = Number.MAX_SAFE_INTEGER;
  const started = performance.now();
  for (let i = 0; i < unique; i += 1000) {
    const prepared = await Promise.all(
      Array.from({ length: Math.min(1000, unique - i) }, (_, j) => prepareMessage(message(i + j, 700))),
    );
    db.transaction(() => {
      for (const p of prepared) commitMessage(db, p, { folderId: inbox.id, quotaBytes });
    })();
  }
  const visiblePerSec = (unique / (performance.now() - started)) * 1000;
  indexAllPending(db);
  const ingestPerSec = (unique / (performance.now() - started)) * 1000;
  const uids = (db.prepare('SELECT uid FROM messages WHERE folder_id = ?').pluck().all(inbox.id) as number[]).slice(
    0,
    1000,
  );
  const copies = Math.round(100 * SCALE);
  for (let i = 0; i < copies; i++) copyMessages(db, inbox, uids, big, quotaBytes);
  const bigUids = db.prepare('SELECT uid FROM messages WHERE folder_id = ?').pluck().all(big.id) as number[];
  storeFlags(
    db,
    big,
    bigUids.filter((u) => u % 3 === 0),
    { mode: 'add', flags: ['\\Seen'] },
  );
  storeFlags(
    db,
    big,
    bigUids.filter((u) => u % 7 === 0),
    { mode: 'add', flags: ['\\Flagged', '$Work'] },
  );
  const bigRef = findFolder(db, 'Big') as FolderRef;

  const cold: number[] = [];
  const warm: number[] = [];
  const patched: number[] = [];
  const fetchRuns: number[] = [];
  const cache = new ListingCache();
  for (let r = 0; r < 5; r++) {
    cold.push((await timed(() => new ListingCache().list(db, findFolder(db, 'Big') as FolderRef).length))[1]);
    cache.list(db, findFolder(db, 'Big') as FolderRef);
    warm.push((await timed(() => cache.list(db, findFolder(db, 'Big') as FolderRef).length))[1]);
    storeFlags(db, bigRef, [bigUids[r * 10] as number], { mode: 'add', flags: ['Answered'] });
    patched.push((await timed(() => cache.list(db, findFolder(db, 'Big') as FolderRef).length))[1]);
    fetchRuns.push(
      (
        await timed(
          () =>
            cache
              .list(db, findFolder(db, 'Big') as FolderRef)
              .map((m, i) => `* ${i + 1} FETCH (UID ${m.uid} FLAGS (${m.flags.join(' ')}))`)
              .join('\r\n').length,
        )
      )[1],
    );
  }
  const needles = [WORDS[10] as string, WORDS[4000] as string, 'message 4242', 'sender1234@'];
  const fts: number[] = [];
  const ftsHits: number[] = [];
  const inboxRef = findFolder(db, 'INBOX') as FolderRef;
  for (const value of needles) {
    searchFolder(db, inboxRef, { key: 'text', value });
    const [hits, ms] = await timed(() => searchFolder(db, inboxRef, { key: 'text', value }));
    fts.push(ms);
    ftsHits.push(hits.length);
  }
  db.close();
  return {
    ingestPerSec,
    visiblePerSec,
    select: percentile(cold, 50),
    selectWarm: percentile(warm, 50),
    selectPatched: percentile(patched, 50),
    fetchFlags: percentile(fetchRuns, 50),
    fts,
    ftsHits,
  };
}

function printWorkload(label: string, w: Workload): void {
  console.log(`${label}:`);
  console.log(
    `  ingest (index + commit, 1000 per transaction): ${fmt(w.visiblePerSec, 0)} msg/s visible, ` +
      `${fmt(w.ingestPerSec, 0)} msg/s including the full-text index`,
  );
  const n = Math.round(100_000 * SCALE);
  console.log(`  SELECT (listMessages) of ${n}, first in the process: ${fmt(w.select)} ms`);
  console.log(`  SELECT again, unchanged: ${fmt(w.selectWarm)} ms; after one flag change: ${fmt(w.selectPatched)} ms`);
  console.log(`  FETCH 1:* (UID FLAGS) of ${n}, response lines built: ${fmt(w.fetchFlags)} ms`);
  console.log(
    `  SEARCH TEXT over ${Math.round(50_000 * SCALE)}: ${w.fts.map((ms, i) => `${fmt(ms)} ms (${w.ftsHits[i]} hits)`).join(', ')}`,
  );
}

const root = await mkdtemp(join(tmpdir(), 'mailstore-bench-'));
try {
  console.log(`# Mailstore benchmark (scale ${SCALE}, data in ${root})`);
  await spoolBench(join(root, 'spool'));
  await drainAndUnlockBench(join(root, 'drain'));
  console.log('\n## Large folders');
  const baseline: number[] = [];
  for (let r = 0; r < 5; r++) {
    const [, ms] = await timed(() =>
      Array.from({ length: Math.round(100_000 * SCALE) }, (_, i) => ({ uid: i, flags: [], internalDate: new Date(i) })),
    );
    baseline.push(ms);
  }
  console.log(
    `(calibration: creating ${Math.round(100_000 * SCALE)} plain summary objects in JS takes ${fmt(percentile(baseline, 50))} ms here)`,
  );
  const enc = await largeFolderBench(join(root, 'big-encrypted.db'), true);
  printWorkload('encrypted (ChaCha20-Poly1305)', enc);
  const plain = await largeFolderBench(join(root, 'big-plain.db'), false);
  printWorkload('unencrypted', plain);
  const overhead = (a: number, b: number) => `${fmt(((a - b) / b) * 100, 0)}%`;
  console.log(
    `encryption overhead: SELECT ${overhead(enc.select, plain.select)}, FETCH FLAGS ${overhead(enc.fetchFlags, plain.fetchFlags)}, ` +
      `ingest ${overhead(plain.ingestPerSec, enc.ingestPerSec)} slower`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
