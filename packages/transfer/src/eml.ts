/**
 * EML files: one message per file (RFC 5322 bytes), alone, in a directory tree (the directories below the root
 * name the folders), or in a zip archive with folder paths (`INBOX/1.eml`, `Archive/2024/7.eml`).
 *
 * Zip through yazl (write) and yauzl (read), both streaming: each entry's data is asked for only when the
 * archive reaches it (yazl's addReadStreamLazy), so one message at a time is in memory. The entry's comment
 * carries the flags and exact internal date as JSON (`{"flags":[...],"internalDate":"..."}`); its modification
 * time is the internal date too, for unzip tools.
 */
import { createWriteStream, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import type { ReadItem, TransferMessage } from './types.js';

interface EntryMeta {
  flags?: unknown;
  internalDate?: unknown;
}

function folderOf(relativeDir: string, defaultFolder: string): string {
  const path = relativeDir
    .split(sep)
    .join('/')
    .replace(/^\.?\/?/, '');
  if (!path) return defaultFolder;
  return path.toUpperCase() === 'INBOX' ? 'INBOX' : path;
}

/** Writes a zip of EML files to `out` (a file path or a writable stream). Returns the message count. */
export async function writeEmlZip(messages: AsyncIterable<TransferMessage>, out: string | Writable): Promise<number> {
  const zip = new yazl.ZipFile();
  const written = pipeline(zip.outputStream, typeof out === 'string' ? createWriteStream(out) : out);
  let count = 0;
  try {
    for await (const message of messages) {
      count += 1;
      const comment = JSON.stringify({ flags: message.flags, internalDate: message.internalDate.toISOString() });
      // Wait until the archive asks for this entry's data before taking the next message from the store.
      await new Promise<void>((resolve) => {
        zip.addReadStreamLazy(
          `${message.folder}/${count}.eml`,
          { mtime: message.internalDate, fileComment: comment, size: message.raw.length },
          (cb) => {
            resolve();
            cb(null, Readable.from([message.raw], { objectMode: false }));
          },
        );
      });
    }
  } finally {
    zip.end();
  }
  await written;
  return count;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const stream = await new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function metaFrom(entry: yauzl.Entry): { flags: string[]; internalDate: Date } {
  let meta: EntryMeta = {};
  try {
    meta = entry.fileComment ? (JSON.parse(entry.fileComment) as EntryMeta) : {};
  } catch {
    meta = {};
  }
  const flags = Array.isArray(meta.flags) ? meta.flags.filter((f): f is string => typeof f === 'string') : [];
  const exact = typeof meta.internalDate === 'string' ? new Date(meta.internalDate) : null;
  const internalDate = exact && !Number.isNaN(exact.getTime()) ? exact : entry.getLastModDate();
  return { flags, internalDate };
}

/** Reads a zip of EML files entry by entry (one message in memory at a time). */
export async function* readEmlZip(path: string, defaultFolder = 'INBOX'): AsyncGenerator<ReadItem> {
  const zip = await openZip(path);
  const entries = (async function* () {
    for (;;) {
      const next = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (entry: yauzl.Entry) => {
          zip.off('end', onEnd);
          zip.off('error', onError);
          resolve(entry);
        };
        const onEnd = () => {
          zip.off('entry', onEntry);
          zip.off('error', onError);
          resolve(null);
        };
        const onError = (err: Error) => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          reject(err);
        };
        zip.once('entry', onEntry);
        zip.once('end', onEnd);
        zip.once('error', onError);
        zip.readEntry();
      });
      if (!next) return;
      yield next;
    }
  })();
  try {
    for await (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      const source = `${path}:${entry.fileName}`;
      const base = entry.fileName.split('/').pop() ?? '';
      if (base.startsWith('.') || entry.fileName.startsWith('__MACOSX/')) continue;
      try {
        const raw = await readEntry(zip, entry);
        if (raw.length === 0) {
          yield { source, reason: 'empty file' };
          continue;
        }
        const { flags, internalDate } = metaFrom(entry);
        yield { folder: folderOf(dirname(entry.fileName), defaultFolder), raw, flags, internalDate, source };
      } catch (err) {
        yield { source, reason: `unreadable zip entry: ${(err as Error).message}` };
      }
    }
  } finally {
    zip.close();
  }
}

/** One .eml file, or a directory tree of them (subdirectories name folders). */
export async function* readEmlFiles(path: string, defaultFolder = 'INBOX'): AsyncGenerator<ReadItem> {
  const info: Stats = await stat(path);
  if (info.isFile()) {
    yield { folder: defaultFolder, raw: await readFile(path), flags: [], internalDate: info.mtime, source: path };
    return;
  }
  const walk = async function* (dir: string): AsyncGenerator<ReadItem> {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name, 'en', { numeric: true }),
    );
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) yield* walk(full);
      else if (entry.isFile() && /\.eml$/i.test(entry.name)) {
        const raw = await readFile(full);
        if (raw.length === 0) {
          yield { source: full, reason: 'empty file' };
          continue;
        }
        const { mtime } = await stat(full);
        yield {
          folder: folderOf(relative(path, dir), defaultFolder),
          raw,
          flags: [],
          internalDate: mtime,
          source: full,
        };
      }
    }
  };
  yield* walk(path);
}
