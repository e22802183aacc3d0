/**
 * Which format a path holds, from its content rather than its name: a directory with cur/ or new/ somewhere is a
 * Maildir tree, another directory a tree of .eml files; a file starting with `PK\x03\x04` is a zip archive, with
 * `From ` an mbox, anything else a single message.
 */
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { readEmlFiles, readEmlZip } from './eml.js';
import { findMaildirs, readMaildir } from './maildir.js';
import { readMbox } from './mbox.js';
import type { ReadItem } from './types.js';

export type ImportFormat = 'mbox' | 'maildir' | 'eml' | 'zip';

export async function detectFormat(path: string): Promise<ImportFormat> {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const info = await stat(path);
  if (info.isDirectory()) return (await findMaildirs(path)).length > 0 ? 'maildir' : 'eml';
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await file.read(head, 0, 5, 0);
    const start = head.subarray(0, bytesRead);
    if (start.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'zip';
    if (start.toString('latin1') === 'From ') return 'mbox';
    return 'eml';
  } finally {
    await file.close();
  }
}

/** The messages of a file or directory in the format found there. */
export function readSource(path: string, format: ImportFormat, defaultFolder = 'INBOX'): AsyncIterable<ReadItem> {
  switch (format) {
    case 'mbox':
      return readMbox(path, defaultFolder);
    case 'maildir':
      return readMaildir(path, defaultFolder);
    case 'zip':
      return readEmlZip(path, defaultFolder);
    case 'eml':
      return readEmlFiles(path, defaultFolder);
  }
}
