/**
 * A Maildir tree sent as one zip file (`zip -r maildir.zip Maildir`), which is how a Maildir travels through an
 * upload form: recognised by entries inside `cur/` or `new/` directories, unpacked into a private directory and
 * read by readMaildir, so flags from the file names, Dovecot keyword files and Maildir++ folders all come through.
 * The files' modification times (the internal dates) come from the zip's entry times: 2-second precision, as
 * the zip format keeps them.
 *
 * Unpacking is bounded: entry names with `..` or an absolute path are refused by yauzl (no file is written outside
 * the directory), each entry must have the size its header declares, and the declared total may not pass
 * `maxBytes` (a small archive cannot fill the disk).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

const MAILDIR_ENTRY = /(?:^|\/)(?:cur|new)\/[^/]+$/;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

/** Calls `each` for every entry in order, waiting for it before reading the next. */
async function forEachEntry(zip: yauzl.ZipFile, each: (entry: yauzl.Entry) => Promise<boolean>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      each(entry).then((more) => {
        if (more) zip.readEntry();
        else {
          zip.close();
          resolve();
        }
      }, reject);
    });
    zip.once('end', resolve);
    zip.once('error', reject);
    zip.readEntry();
  });
}

/** True when the zip at `path` holds a Maildir: some file sits in a `cur/` or `new/` directory. */
export async function zipHoldsMaildir(path: string): Promise<boolean> {
  const zip = await openZip(path);
  let found = false;
  await forEachEntry(zip, async (entry) => {
    found = MAILDIR_ENTRY.test(entry.fileName);
    return !found;
  });
  return found;
}

/**
 * Unpacks the zip into `dir` (which must exist) and returns the Maildir root: `dir`, or its one directory when
 * the archive holds a single top-level folder (`Maildir/cur/...`).
 */
export async function unpackMaildirZip(path: string, dir: string, maxBytes: number): Promise<string> {
  const zip = await openZip(path);
  let total = 0;
  await forEachEntry(zip, async (entry) => {
    if (entry.fileName.endsWith('/')) {
      await mkdir(join(dir, entry.fileName), { recursive: true });
      return true;
    }
    total += entry.uncompressedSize;
    if (total > maxBytes) throw new Error(`the archive unpacks to more than ${maxBytes} bytes`);
    const target = join(dir, entry.fileName);
    await mkdir(dirname(target), { recursive: true });
    const stream = await new Promise<Readable>((resolve, reject) =>
      zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
    );
    await pipeline(stream, createWriteStream(target, { mode: 0o600 }));
    const time = entry.getLastModDate();
    await utimes(target, time, time);
    return true;
  });
  const top = await readdir(dir, { withFileTypes: true });
  const only = top.length === 1 ? top[0] : undefined;
  if (only?.isDirectory() && !['cur', 'new', 'tmp'].includes(only.name)) {
    const inner = join(dir, only.name);
    if ((await stat(inner)).isDirectory()) return inner;
  }
  return dir;
}
