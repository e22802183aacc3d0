/**
 * Every export format read back by our importer gives the same messages: bytes, folder, flags, keywords and
 * internal dates, for the whole shared corpus; a second import of the same file skips everything as duplicates.
 */

import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type MailboxSession, Mailstore } from '@mailyard/mailstore';
import {
  corpusMessages,
  type MessageSnapshot,
  mailboxSnapshot,
  type TempDir,
  tempDir,
  waitFor,
} from '@mailyard/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import yazl from 'yazl';
import {
  detectFormat,
  detectSource,
  exportMessages,
  importMessages,
  isMailboxCopy,
  openImportSource,
  openMailboxCopy,
  readMailboxCopy,
  readSource,
  streamMailboxCopy,
  writeEmlZip,
  writeMailboxCopy,
  writeMaildir,
  writeMbox,
} from '../src/index.js';

const KEYWORDS = ['$Forwarded', 'Work', '$label1', 'project-x'];
const FLAG_SETS = [[], ['\\Seen'], ['\\Seen', '\\Answered'], ['\\Flagged', '\\Draft'], ['\\Deleted', '\\Seen']];

describe('export and import round trip of the corpus', () => {
  let dir: TempDir;
  let store: Mailstore;
  let source: MailboxSession;
  let expected: MessageSnapshot[];
  let recoveryKey: string;
  const files = corpusMessages();

  beforeAll(async () => {
    dir = await tempDir('mailyard-transfer-');
    store = new Mailstore({ dataDir: join(dir.path, 'data'), kdf: { N: 1024 } });
    recoveryKey = (await store.createMailbox('source0001', 'pw', { recoveryKey: true })).recoveryKey ?? '';
    source = await store.open('source0001', 'pw');
    source.createFolder('Archive/2024.old');
    source.createFolder('Ünïcode & Co');
    const folders = ['INBOX', 'Archive', 'Archive/2024.old', 'Ünïcode & Co'];
    let i = 0;
    for (const file of files) {
      const flags = [...(FLAG_SETS[i % FLAG_SETS.length] ?? [])];
      if (i % 3 === 0) flags.push(KEYWORDS[i % KEYWORDS.length] as string);
      // Milliseconds on purpose: every format must keep them.
      const internalDate = new Date(Date.UTC(2020, i % 12, 1 + (i % 28), i % 24, i % 60, i % 60, i % 1000));
      await source.append(folders[i % folders.length] as string, await readFile(file), { flags, internalDate });
      i += 1;
    }
    expected = mailboxSnapshot(source);
  });

  afterAll(async () => {
    source?.close();
    await store?.close();
    await dir?.cleanup();
  });

  test.skipIf(files.length === 0)('the corpus is in the source mailbox', () => {
    expect(expected.length).toBe(files.length);
  });

  const writers: Record<string, (path: string) => Promise<void>> = {
    mbox: async (path) => pipeline(Readable.from(writeMbox(exportMessages(source))), createWriteStream(path)),
    maildir: async (path) => {
      await writeMaildir(path, exportMessages(source));
    },
    zip: async (path) => {
      await writeEmlZip(exportMessages(source), path);
    },
  };

  for (const [format, write] of Object.entries(writers)) {
    test.skipIf(files.length === 0)(`${format}: byte-identical messages with folders, flags and dates`, async () => {
      const path = join(dir.path, `export.${format}`);
      await write(path);
      expect(await detectFormat(path)).toBe(format);
      const target = `${format}target`.padEnd(10, '0');
      await store.createMailbox(target, 'pw');
      const session = await store.open(target, 'pw');
      try {
        let progressCalls = 0;
        const summary = await importMessages(session, readSource(path, await detectFormat(path)), {
          onProgress: () => {
            progressCalls += 1;
          },
        });
        expect(summary.skipped).toEqual([]);
        expect(summary.duplicates).toBe(0);
        expect(summary.imported).toBe(expected.length);
        expect(progressCalls).toBe(expected.length);
        const got = mailboxSnapshot(session);
        expect(got.length).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) {
          const want = expected[i] as MessageSnapshot;
          const have = got[i] as MessageSnapshot;
          expect({ ...have, raw: undefined }).toEqual({ ...want, raw: undefined });
          expect(have.raw.equals(want.raw)).toBe(true);
        }
        // Run again: everything is a duplicate, nothing is added.
        const again = await importMessages(session, readSource(path, format === 'zip' ? 'zip' : (format as 'mbox')));
        expect(again.imported).toBe(0);
        expect(again.duplicates).toBe(expected.length);
        expect(mailboxSnapshot(session).length).toBe(expected.length);
      } finally {
        session.close();
      }
    });
  }

  test.skipIf(files.length === 0)('one folder exports alone', async () => {
    const path = join(dir.path, 'archive.mbox');
    await pipeline(Readable.from(writeMbox(exportMessages(source, { folder: 'Archive' }))), createWriteStream(path));
    const read = [];
    for await (const item of readSource(path, 'mbox')) read.push(item);
    expect(read.length).toBe(expected.filter((m) => m.folder === 'Archive').length);
  });

  test.skipIf(files.length === 0)(
    'the encrypted copy: no plaintext, opened only by the password or the recovery key, restored byte-identical',
    async () => {
      const path = join(dir.path, 'copy.zip');
      await writeMailboxCopy(source, path);
      expect(await isMailboxCopy(path)).toBe(true);
      const bytes = await readFile(path);
      // Neither a SQLite header nor any message text is readable in the archive.
      expect(bytes.includes('SQLite format 3')).toBe(false);
      const sample = (await readFile(files[0] as string)).subarray(0, 200);
      expect(bytes.includes(sample)).toBe(false);

      await expect(openMailboxCopy(path, { password: 'not it' }, dir.path)).rejects.toThrow(/credentials/i);
      await expect(openMailboxCopy(path, { recoveryKey: 'A'.repeat(recoveryKey.length) }, dir.path)).rejects.toThrow();

      for (const secret of [{ password: 'pw' }, { recoveryKey }]) {
        const copy = await openMailboxCopy(path, secret, dir.path);
        const target = `copy${'recoveryKey' in secret ? 'r' : 'p'}`.padEnd(10, '0');
        await store.createMailbox(target, 'other password');
        const session = await store.open(target, 'other password');
        try {
          const summary = await importMessages(session, readMailboxCopy(copy));
          expect(summary.skipped).toEqual([]);
          expect(summary.imported).toBe(expected.length);
          const got = mailboxSnapshot(session);
          expect(got.map((m) => ({ ...m, raw: m.raw.toString('base64') }))).toEqual(
            expected.map((m) => ({ ...m, raw: m.raw.toString('base64') })),
          );
        } finally {
          session.close();
          await copy.close();
        }
      }
    },
  );

  test.skipIf(files.length === 0)(
    'openImportSource: a copy (streamed) is found from its content, asks for its secret, and leaves no files behind',
    async () => {
      const work = join(dir.path, 'source-work');
      await mkdir(work);
      const path = join(work, 'streamed-copy');
      const { stream, size } = await streamMailboxCopy(source, work);
      await pipeline(stream, createWriteStream(path));
      expect((await readFile(path)).length).toBe(size);
      // The copy's working files go when the stream closes.
      const onlyTheCopy = async () => (await readdir(work)).join() === 'streamed-copy';
      await waitFor(onlyTheCopy, 30_000);
      expect(await detectSource(path)).toBe('copy');

      await expect(openImportSource(path)).rejects.toThrow(/password of the mailbox/);
      await expect(openImportSource(path, { copySecret: () => ({ password: 'not it' }) })).rejects.toThrow(
        /credentials/i,
      );
      expect(await readdir(work)).toEqual(['streamed-copy']);
      // Named a zip (`--format zip`), it is still restored as a copy.
      const input = await openImportSource(path, { kind: 'zip', copySecret: () => ({ password: 'pw' }) });
      expect(input.kind).toBe('copy');
      let count = 0;
      for await (const _ of input.items) count += 1;
      await input.close();
      expect(count).toBe(expected.length);
      expect(await readdir(work)).toEqual(['streamed-copy']);
    },
  );

  test.skipIf(files.length === 0)(
    'a zipped Maildir tree: found from its entries, unpacked privately, imported with folders and flags',
    async () => {
      const tree = join(dir.path, 'zip-me', 'Maildir');
      await writeMaildir(tree, exportMessages(source));
      const path = join(dir.path, 'maildir.zip');
      const zip = new yazl.ZipFile();
      const written = pipeline(zip.outputStream, createWriteStream(path));
      const add = async (at: string) => {
        for (const entry of await readdir(at, { withFileTypes: true })) {
          const full = join(at, entry.name);
          if (entry.isDirectory()) await add(full);
          else zip.addFile(full, relative(dirname(tree), full), { mtime: (await stat(full)).mtime });
        }
      };
      await add(tree);
      zip.end();
      await written;
      expect(await detectSource(path)).toBe('maildir-zip');

      const work = join(dir.path, 'maildir-work');
      await mkdir(work);
      await expect(openImportSource(path, { workDir: work, maxUnpackedBytes: 1000 })).rejects.toThrow(
        /unpacks to more/,
      );
      expect(await readdir(work)).toEqual([]);
      const input = await openImportSource(path, { workDir: work });
      await store.createMailbox('mdzip00000', 'pw');
      const session = await store.open('mdzip00000', 'pw');
      try {
        const summary = await importMessages(session, input.items);
        expect(summary.skipped).toEqual([]);
        expect(summary.imported).toBe(expected.length);
        const got = mailboxSnapshot(session);
        const key = (m: MessageSnapshot) => `${m.folder}\0${m.raw.toString('base64')}`;
        const byKey = new Map(got.map((m) => [key(m), m]));
        for (const want of expected) {
          const have = byKey.get(key(want));
          expect(have?.flags).toEqual(want.flags);
          // Zip entry times have 2-second precision.
          expect(Math.abs((have?.internalDate ?? 0) - want.internalDate)).toBeLessThanOrEqual(2000);
        }
      } finally {
        session.close();
        await input.close();
      }
      expect(await readdir(work)).toEqual([]);
    },
  );
});
