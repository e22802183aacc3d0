/**
 * Export and import throughput on a 20,000-message mailbox (BENCH_MESSAGES to change it): a source mailbox is
 * filled through the store's appendMany (4 KB messages, a few folders, flags and keywords), then each format is
 * exported to a temp dir and imported into a fresh mailbox through @mailyard/transfer, as `mailyard export` and
 * `mailyard import` do. Prints MB/s and msg/s per step, and the process's peak RSS (exports stream). For the
 * encrypted copy and its restore it also prints the longest event-loop block while each ran (how late a 1 ms
 * timer fired): how long an api process serving other requests would have stalled.
 * BENCH_FORMATS=mbox,maildir,zip (the default) names the file formats to run; empty runs only the sqlite copy.
 * Run from the repo root: pnpm --filter @mailyard/bench run transfer
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type MailboxSession, Mailstore } from '@mailyard/mailstore';
import {
  exportMessages,
  importMessages,
  openMailboxCopy,
  readMailboxCopy,
  readSource,
  writeEmlZip,
  writeMailboxCopy,
  writeMaildir,
  writeMbox,
} from '@mailyard/transfer';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 20_000);
const FOLDERS = ['INBOX', 'Archive', 'Sent', 'Lists/dev'];
const FORMATS = (process.env.BENCH_FORMATS ?? 'mbox,maildir,zip').split(',').filter(Boolean);

/**
 * Runs `work` and returns its result with the longest event-loop block while it ran, in ms: a 1 ms timer re-armed
 * each time it fires, the block being how late it fired (so a turn that holds the loop shows as its length).
 */
async function blocking<T>(work: () => Promise<T>): Promise<{ value: T; maxBlockMs: number }> {
  let maxBlockMs = 0;
  let due = performance.now() + 1;
  let timer = setTimeout(function tick() {
    const now = performance.now();
    maxBlockMs = Math.max(maxBlockMs, now - due);
    due = now + 1;
    timer = setTimeout(tick, 1);
  }, 1);
  try {
    return { value: await work(), maxBlockMs };
  } finally {
    clearTimeout(timer);
  }
}

function message(i: number): Buffer {
  const head =
    `From: Sender ${i} <sender${i}@example.org>\r\nTo: rcpt@example.net\r\nSubject: Message ${i}\r\n` +
    `Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <transfer-${i}-${randomBytes(4).toString('hex')}@example.org>\r\n` +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n';
  const line = `line of the body of message ${i}, with some words to index ${randomBytes(6).toString('hex')}\r\n`;
  return Buffer.from(head + line.repeat(Math.ceil((4096 - head.length) / line.length)));
}

function figures(label: string, messages: number, bytes: number, ms: number): void {
  const s = ms / 1000;
  console.log(
    `${label.padEnd(28)} ${(bytes / 1024 / 1024 / s).toFixed(1).padStart(7)} MB/s ${(messages / s).toFixed(0).padStart(7)} msg/s  (${messages} messages, ${(bytes / 1024 / 1024).toFixed(1)} MB, ${s.toFixed(2)} s)`,
  );
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const dir = await mkdtemp(join(tmpdir(), 'mailyard-bench-transfer-'));
const store = new Mailstore({ dataDir: join(dir, 'data'), kdf: { N: 1024 }, retentionDays: 0 });
try {
  await store.createMailbox('benchsource', 'pw');
  const source = await store.open('benchsource', 'pw');
  for (const folder of FOLDERS) if (!source.getFolder(folder)) source.createFolder(folder);
  let bytes = 0;
  for (let start = 0; start < COUNT; start += 500) {
    const batch = Array.from({ length: Math.min(500, COUNT - start) }, (_, k) => {
      const i = start + k;
      const raw = message(i);
      bytes += raw.length;
      const flags = i % 3 === 0 ? ['\\Seen'] : i % 7 === 0 ? ['\\Flagged', '$label1'] : [];
      return { raw, opts: { flags, internalDate: new Date(Date.UTC(2024, 0, 1) + i * 60_000) } };
    });
    await source.appendMany(FOLDERS[(start / 500) % FOLDERS.length] as string, batch);
  }
  console.log(`source mailbox: ${COUNT} messages, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${FOLDERS.length} folders`);

  const exporters: Record<string, (path: string) => Promise<void>> = {
    mbox: (path) => pipeline(Readable.from(writeMbox(exportMessages(source))), createWriteStream(path)),
    maildir: async (path) => {
      await writeMaildir(path, exportMessages(source));
    },
    zip: async (path) => {
      await writeEmlZip(exportMessages(source), path);
    },
  };
  let n = 0;
  const freshMailbox = async (): Promise<MailboxSession> => {
    n += 1;
    const id = `benchtarget${n}`;
    await store.createMailbox(id, 'pw');
    return store.open(id, 'pw');
  };
  for (const [format, write] of Object.entries(exporters).filter(([f]) => FORMATS.includes(f))) {
    const path = join(dir, `export-${format}`);
    let started = performance.now();
    await write(path);
    figures(`export ${format}`, COUNT, bytes, performance.now() - started);
    const target = await freshMailbox();
    started = performance.now();
    const summary = await importMessages(target, readSource(path, format as 'mbox' | 'maildir' | 'zip'));
    figures(`import ${format}`, summary.imported, summary.importedBytes, performance.now() - started);
    started = performance.now();
    const again = await importMessages(target, readSource(path, format as 'mbox' | 'maildir' | 'zip'));
    figures(`re-import ${format} (duplicates)`, again.duplicates, bytes, performance.now() - started);
    target.close();
    await rm(path, { recursive: true, force: true });
  }

  const copyPath = join(dir, 'copy.zip');
  let started = performance.now();
  const exported = await blocking(() => writeMailboxCopy(source, copyPath));
  figures('export sqlite (encrypted copy)', COUNT, bytes, performance.now() - started);
  console.log(`  longest event-loop block during the copy: ${exported.maxBlockMs.toFixed(0)} ms`);
  const target = await freshMailbox();
  started = performance.now();
  const { value: restored, maxBlockMs } = await blocking(async () => {
    const copy = await openMailboxCopy(copyPath, { password: 'pw' }, dir);
    try {
      return await importMessages(target, readMailboxCopy(copy));
    } finally {
      await copy.close();
    }
  });
  figures('restore sqlite copy', restored.imported, restored.importedBytes, performance.now() - started);
  console.log(`  longest event-loop block during the restore: ${maxBlockMs.toFixed(0)} ms`);
  target.close();
  source.close();
  console.log(`peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
} finally {
  clearInterval(sampler);
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
