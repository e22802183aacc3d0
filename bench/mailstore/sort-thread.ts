/**
 * SORT, THREAD and PREVIEW on a 20,000-message folder (RFC 5256, RFC 8970): prints the time of the first SORT
 * (which derives and stores the sort keys of every message), of later SORTs by each key, of THREAD by both
 * algorithms, and of PREVIEW for 100 messages the first time and from the cache. Encrypted store, real SQLite.
 * Run from the repo root: node --conditions=source --import tsx bench/mailstore/sort-thread.ts
 * Sizes scale with BENCH_SCALE (default 1 = 20,000 messages).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mailstore, type SortKey } from '@mailyard/mailstore';

const COUNT = Math.round(20_000 * Number(process.env.BENCH_SCALE ?? 1));
const SUBJECTS = Array.from({ length: 2000 }, (_, i) => `Topic ${(i * 7919).toString(36)}`);

function message(i: number): Buffer {
  const topic = SUBJECTS[i % SUBJECTS.length] as string;
  const reply = i >= SUBJECTS.length;
  const parent = reply ? `References: <m${i - SUBJECTS.length}@bench>\r\n` : '';
  const day = 1 + (i % 28);
  return Buffer.from(
    `From: "Person ${i % 313}" <p${i % 313}@example.org>\r\nTo: r${i % 97}@example.net\r\n` +
      `Subject: ${reply ? 'Re: ' : ''}${topic}\r\nDate: ${day} Feb 2026 ${String(i % 24).padStart(2, '0')}:00:00 +0100\r\n` +
      `Message-ID: <m${i}@bench>\r\n${parent}Content-Type: text/plain\r\n\r\n` +
      `Hello ${randomBytes(8).toString('hex')}, this is message ${i}.\r\n`,
  );
}

async function timed<T>(label: string, run: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await run();
  console.log(`${label.padEnd(44)} ${(performance.now() - start).toFixed(1).padStart(8)} ms`);
  return result;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-sort-'));
  const store = new Mailstore({ dataDir: dir, kdf: { N: 1024 } });
  try {
    await store.createMailbox('b', 'pw');
    const s = await store.open('b', 'pw');
    await timed(`store ${COUNT} messages (MULTIAPPEND, 500 a batch)`, async () => {
      for (let i = 0; i < COUNT; i += 500) {
        const batch = Array.from({ length: Math.min(500, COUNT - i) }, (_, j) => ({ raw: message(i + j) }));
        await s.appendMany('INBOX', batch);
      }
    });
    const all = { key: 'all' } as const;
    await timed('first SORT (SUBJECT), sort keys built', () => s.sort('INBOX', [{ key: 'subject' }], all));
    for (const key of ['subject', 'date', 'arrival', 'from', 'displayfrom', 'size'] as SortKey[]) {
      await timed(`SORT (${key.toUpperCase()})`, () => s.sort('INBOX', [{ key }], all));
    }
    await timed('SORT (REVERSE DATE) UNSEEN', () =>
      s.sort('INBOX', [{ key: 'date', reverse: true }], { key: 'unseen' }),
    );
    const threads = await timed('THREAD=REFERENCES', () => s.thread('INBOX', 'references', all));
    await timed('THREAD=ORDEREDSUBJECT', () => s.thread('INBOX', 'orderedsubject', all));
    const uids = Array.from({ length: 100 }, (_, i) => i * Math.floor(COUNT / 100) + 1);
    await timed('PREVIEW of 100 messages, first time', () => s.previews('INBOX', uids));
    await timed('PREVIEW of 100 messages, cached', () => s.previews('INBOX', uids));
    console.log(`threads: ${threads.length} for ${COUNT} messages`);
    s.close();
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
