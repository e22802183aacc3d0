/**
 * One way into every import: what a file or directory holds, found from its content (detectSource), and its
 * messages (openImportSource), an encrypted mailbox copy included, so `mailyard import`, POST /v1/imports and the
 * dashboard's import and restore accept the same inputs. A copy is a zip whose first entry is the key file; it is
 * unlocked in a private temporary store with the secret the caller gives (only asked for when the source is a
 * copy), and that store is removed by close(). A zip holding a Maildir tree (maildir-zip.ts) is unpacked into a
 * private directory that close() removes too.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { detectFormat, type ImportFormat, readSource } from './detect.js';
import { type CopySecret, isMailboxCopy, openMailboxCopy, readMailboxCopy } from './mailbox-copy.js';
import { readMaildir } from './maildir.js';
import { unpackMaildirZip, zipHoldsMaildir } from './maildir-zip.js';
import type { ReadItem } from './types.js';

/** An import format, `maildir-zip` (a zip of a Maildir tree), or `copy`: the encrypted copy of a mailbox. */
export type SourceKind = ImportFormat | 'maildir-zip' | 'copy';

/** A zip's kind from its entries: an encrypted copy, a Maildir tree, or else EML files. */
async function zipKind(path: string): Promise<SourceKind> {
  if (await isMailboxCopy(path)) return 'copy';
  return (await zipHoldsMaildir(path)) ? 'maildir-zip' : 'zip';
}

/** The kind of source at `path`, from its content: detectFormat, and for a zip what its entries are. */
export async function detectSource(path: string): Promise<SourceKind> {
  const format = await detectFormat(path);
  return format === 'zip' ? zipKind(path) : format;
}

export interface SourceOptions {
  /** The kind named by the caller (`--format`); detected from the content when absent. */
  kind?: SourceKind;
  /** Folder for messages whose source names none (default INBOX); a copy keeps its own folders. */
  folder?: string;
  /** What opens an encrypted copy; called only when the source is one. */
  copySecret?: () => CopySecret | Promise<CopySecret>;
  /** Where a copy is unlocked or a Maildir zip unpacked (a private directory, removed by close()); default: the
   * directory of `path`. */
  workDir?: string;
  /** The most a Maildir zip may unpack to; default 20 times the archive's size, at least 64 MiB. */
  maxUnpackedBytes?: number;
}

export interface ImportSource {
  kind: SourceKind;
  items: AsyncIterable<ReadItem>;
  /** Releases what reading needed (a copy's temporary store); call it once the items are read or abandoned. */
  close(): Promise<void>;
}

/**
 * The messages at `path`. For a copy, the secret is checked here, before any message is read: a wrong password
 * or recovery key rejects with the mail store's AuthenticationError, and nothing is left behind.
 */
export async function openImportSource(path: string, opts: SourceOptions = {}): Promise<ImportSource> {
  let kind = opts.kind ?? (await detectSource(path));
  // A zip named as such (`--format zip`) may still be a copy or a Maildir: its entries tell.
  if (opts.kind === 'zip') kind = await zipKind(path);
  const folder = opts.folder ?? 'INBOX';
  const workDir = opts.workDir ?? dirname(resolve(path));
  if (kind === 'maildir-zip') {
    const dir = await mkdtemp(join(workDir, '.mailyard-maildir-'));
    const remove = () => rm(dir, { recursive: true, force: true });
    try {
      const limit = opts.maxUnpackedBytes ?? Math.max(64 * 1024 * 1024, 20 * (await stat(path)).size);
      const root = await unpackMaildirZip(path, dir, limit);
      return { kind, items: readMaildir(root, folder), close: remove };
    } catch (err) {
      await remove();
      throw err;
    }
  }
  if (kind !== 'copy') return { kind, items: readSource(path, kind, folder), close: async () => {} };
  if (!opts.copySecret) throw new Error('an encrypted mailbox copy needs the password of the mailbox it was made from');
  const secret = await opts.copySecret();
  const copy = await openMailboxCopy(path, secret, workDir);
  return { kind, items: readMailboxCopy(copy), close: () => copy.close() };
}
