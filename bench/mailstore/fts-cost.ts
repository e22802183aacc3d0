/**
 * Full-text indexing of hostile mail: how long the event loop is blocked while the store indexes a message of
 * high-entropy text (every trigram new, the costliest input for FTS5's trigram tokenizer; anyone who can send
 * mail can send it). Appends one random-text message (4 MiB by default), then prints the longest gap between
 * event-loop turns while the background indexer works, the number of turns it took, and how long a SEARCH
 * TEXT for a word past the indexed prefix takes right after the append and once indexing has finished; then the
 * same figures for the background indexing of 1,000 ordinary messages (about 3 KB of prose each). A block is
 * given in wall time and in CPU time (the CPU time is what the code costs; the wall time adds waiting for a
 * core on a busy machine). Prints the load average first, as the wall figures depend on it.
 * Encrypted store, real SQLite. Run from the repo root:
 *   node --conditions=source --import tsx bench/mailstore/fts-cost.ts
 * FTS_BENCH_MIB sets the message size in MiB (default 4).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MailboxSession, Mailstore } from '@mailyard/mailstore';
import { type Db, mailboxPaths, openDatabase, readKeyFile, unwrapWithPassword } from '@mailyard/mailstore/internals';

const MIB = Number(process.env.FTS_BENCH_MIB ?? 4);
const NEEDLE = 'needleinthehaystack';
const ORDINARY = 1000;

/**
 * A text/plain message of base64 noise in 76-character lines, with NEEDLE an eighth of the way in: past the
 * store's indexed prefix, and before @mailyard/mail's MAX_TEXT_LENGTH (2 Mi characters; text past that is never
 * searchable).
 */
function randomMessage(bytes: number): Buffer {
  const noise = randomBytes(Math.floor((bytes * 3) / 4)).toString('base64');
  const lines = noise.match(/.{1,76}/g) ?? [];
  lines.splice(Math.floor(lines.length / 8), 0, NEEDLE);
  return Buffer.from(
    'From: a@example.org\r\nTo: b@example.net\r\nSubject: noise\r\nMIME-Version: 1.0\r\n' +
      `Content-Type: text/plain\r\n\r\n${lines.join('\r\n')}\r\n`,
  );
}

const WORDS = Array.from({ length: 3000 }, (_, i) => `w${(i * 7919).toString(36)}${'aeiou'[i % 5]}`);

/** About 3 KB of prose-like text over a 3,000-word vocabulary: the cost of indexing ordinary mail. */
function ordinaryMessage(i: number): Buffer {
  const words = Array.from({ length: 400 }, (_, j) => WORDS[(i * 31 + j * j) % WORDS.length]);
  return Buffer.from(
    `From: p${i % 50}@example.org\r\nTo: b@example.net\r\nSubject: note ${i}\r\nMessage-ID: <o${i}@bench>\r\n` +
      `Content-Type: text/plain\r\n\r\n${words.join(' ').replace(/(.{70}) /g, '$1\r\n')}\r\n`,
  );
}

/**
 * Records the longest gap between consecutive event-loop turns until stopped, in wall time and in this
 * process's CPU time: on a loaded machine the wall time includes waiting for a core, the CPU time does not.
 */
function loopProbe(): { stop(): { maxGapMs: number; maxCpuMs: number; turns: number } } {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let maxGapMs = 0;
  let maxCpuMs = 0;
  let turns = 0;
  let running = true;
  const measure = (): void => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    maxGapMs = Math.max(maxGapMs, now - last);
    maxCpuMs = Math.max(maxCpuMs, (cpu.user + cpu.system) / 1000);
    last = now;
    lastCpu = process.cpuUsage();
  };
  const tick = (): void => {
    measure();
    turns += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop() {
      running = false;
      measure();
      return { maxGapMs, maxCpuMs, turns };
    },
  };
}

/** A second connection to the mailbox database, to watch the indexer's progress from outside the store. */
async function watcher(dir: string): Promise<Db> {
  const paths = mailboxPaths(dir, 'b');
  return openDatabase(paths.db, await unwrapWithPassword(await readKeyFile(paths.keyFile), 'pw'));
}

async function waitIndexed(db: Db): Promise<void> {
  const pending = db.prepare('SELECT count(*) FROM fts_pending').pluck();
  while ((pending.get() as number) > 0) await new Promise((r) => setTimeout(r, 5));
}

function timedSearch(session: MailboxSession): { ms: number; found: number[] } {
  const start = performance.now();
  const found = session.search('INBOX', { key: 'text', value: NEEDLE });
  return { ms: performance.now() - start, found };
}

const label = (text: string) => text.padEnd(56);

function blockText(probe: { maxGapMs: number; maxCpuMs: number }): string {
  return `${probe.maxGapMs.toFixed(1)} ms wall, ${probe.maxCpuMs.toFixed(1)} ms CPU`;
}

async function main(): Promise<void> {
  console.log(
    label('load average (1, 5, 15 min)'),
    loadavg()
      .map((n) => n.toFixed(1))
      .join(', '),
  );
  const dir = await mkdtemp(join(tmpdir(), 'bench-fts-'));
  const store = new Mailstore({ dataDir: dir, kdf: { N: 1024 } });
  try {
    await store.createMailbox('b', 'pw');
    const session = await store.open('b', 'pw');
    const db = await watcher(dir);

    const ingest = loopProbe();
    let start = performance.now();
    await session.append('INBOX', randomMessage(MIB * 1024 * 1024));
    const appended = ingest.stop();
    console.log(label(`append ${MIB} MiB random text (parse + store)`), `${(performance.now() - start).toFixed(1)} ms`);
    console.log(label('  longest event-loop block during the append'), blockText(appended));
    // The indexer is scheduled with setImmediate by the append, so it has not run yet.
    const early = timedSearch(session);
    console.log(label('SEARCH TEXT right after the append'), `${early.ms.toFixed(1)} ms, found [${early.found}]`);

    await session.append('INBOX', randomMessage(MIB * 1024 * 1024));
    const indexing = loopProbe();
    start = performance.now();
    await waitIndexed(db);
    const indexed = indexing.stop();
    console.log(label('background indexing of what is still pending'), `${(performance.now() - start).toFixed(1)} ms`);
    console.log(label('  longest event-loop block while indexing'), blockText(indexed));
    console.log(label('  event-loop turns meanwhile'), indexed.turns);
    const late = timedSearch(session);
    console.log(label('SEARCH TEXT once indexed'), `${late.ms.toFixed(1)} ms, found [${late.found}]`);

    await session.appendMany(
      'INBOX',
      Array.from({ length: ORDINARY }, (_, i) => ({ raw: ordinaryMessage(i) })),
    );
    const ordinary = loopProbe();
    start = performance.now();
    await waitIndexed(db);
    const done = ordinary.stop();
    console.log(
      label(`background indexing of ${ORDINARY} ordinary messages`),
      `${(performance.now() - start).toFixed(1)} ms`,
    );
    console.log(label('  longest event-loop block while indexing'), blockText(done));
    console.log(label('  event-loop turns meanwhile'), done.turns);
    db.close();
    session.close();
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
