/**
 * One way into every import: what a file or directory holds, found from its content (detectSource), and its
 * messages (openImportSource), an encrypted mailbox copy included, so `mailyard import`, POST /v1/imports and the
 * dashboard's import and restore accept the same inputs. A copy is a zip whose first entry is the key file; it is
 * unlocked in a private temporary store with the secret the caller gives (only asked for when the source is a
 * copy), and that store is removed by close().
 */
import { dirname, resolve } from 'node:path';
import { detectFormat, type ImportFormat, readSource } from './detect.js';
import { type CopySecret, isMailboxCopy, openMailboxCopy, readMailboxCopy } from './mailbox-copy.js';
import type { ReadItem } from './types.js';

/** An import format, or `copy`: the encrypted copy of a mailbox (the `sqlite` export). */
export type SourceKind = ImportFormat | 'copy';

/** The kind of source at `path`, from its content: detectFormat, and a zip that is an encrypted copy is `copy`. */
export async function detectSource(path: string): Promise<SourceKind> {
  const format = await detectFormat(path);
  return format === 'zip' && (await isMailboxCopy(path)) ? 'copy' : format;
}

export interface SourceOptions {
  /** The kind named by the caller (`--format`); detected from the content when absent. */
  kind?: SourceKind;
  /** Folder for messages whose source names none (default INBOX); a copy keeps its own folders. */
  folder?: string;
  /** What opens an encrypted copy; called only when the source is one. */
  copySecret?: () => CopySecret | Promise<CopySecret>;
  /** Where a copy is unlocked (a private directory made and removed there); default: the directory of `path`. */
  workDir?: string;
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
  // A copy is a zip too: one named as a zip is still restored as the copy it is.
  if (kind === 'zip' && (await isMailboxCopy(path))) kind = 'copy';
  if (kind !== 'copy') {
    return { kind, items: readSource(path, kind, opts.folder ?? 'INBOX'), close: async () => {} };
  }
  if (!opts.copySecret) throw new Error('an encrypted mailbox copy needs the password of the mailbox it was made from');
  const secret = await opts.copySecret();
  const copy = await openMailboxCopy(path, secret, opts.workDir ?? dirname(resolve(path)));
  return { kind, items: readMailboxCopy(copy), close: () => copy.close() };
}
