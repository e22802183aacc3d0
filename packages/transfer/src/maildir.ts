/**
 * Maildir trees in Dovecot's default Maildir++ layout: the root maildir is INBOX, folder `A/B` is the maildir
 * `.A.B` beside it (a `.` or `%` inside a folder name is written as %2E / %25). Each message is one file in
 * cur/, named `<seconds>.M<n>P<pid>.mailyard,S=<size>:2,<flags>` (flag letters in flags.ts, keyword letters
 * numbered in the folder's `dovecot-keywords`), with the internal date as its modification time, which is what
 * Dovecot and other readers take as the received date.
 *
 * Reading also takes a tree of separate maildirs (isync's `SubFolders Verbatim`, or one directory per folder):
 * every directory holding cur/ or new/ is a folder named by its path below the root.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { flagsFromMaildirName, formatDovecotKeywords, maildirInfo, parseDovecotKeywords } from './flags.js';
import type { ReadItem, TransferMessage } from './types.js';

const KEYWORDS_FILE = 'dovecot-keywords';
/** File names this module writes: `<seconds>.M<n>P<pid>.mailyard,...`. */
const OWN_NAME = /^\d+\.M(\d+)P\d+\.mailyard,/;

function escapeSegment(segment: string): string {
  return segment.replace(/%/g, '%25').replace(/\./g, '%2E');
}

function unescapeSegment(segment: string): string {
  return segment.replace(/%2E/gi, '.').replace(/%25/g, '%');
}

/** The maildir directory of a folder under root. */
export function maildirFor(root: string, folder: string): string {
  if (folder === 'INBOX') return root;
  return join(root, `.${folder.split('/').map(escapeSegment).join('.')}`);
}

function isMaildir(dir: string): boolean {
  return existsSync(join(dir, 'cur')) || existsSync(join(dir, 'new'));
}

interface FolderState {
  dir: string;
  keywords: string[];
  keywordCount: number;
}

/**
 * Writes messages into a Maildir++ tree at root (created if missing). Files go through tmp/ and are renamed
 * into cur/, as the Maildir protocol requires, so a reader never sees half a message. Returns the folder count.
 */
export async function writeMaildir(root: string, messages: AsyncIterable<TransferMessage>): Promise<number> {
  const folders = new Map<string, FolderState>();
  let count = 0;
  const saveKeywords = async (state: FolderState) => {
    if (state.keywords.length === state.keywordCount) return;
    state.keywordCount = state.keywords.length;
    await writeFile(join(state.dir, KEYWORDS_FILE), formatDovecotKeywords(state.keywords));
  };
  for await (const message of messages) {
    let state = folders.get(message.folder);
    if (!state) {
      const dir = maildirFor(root, message.folder);
      for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(dir, sub), { recursive: true });
      if (message.folder !== 'INBOX') await writeFile(join(dir, 'maildirfolder'), '');
      const keywords = existsSync(join(dir, KEYWORDS_FILE))
        ? parseDovecotKeywords(await readFile(join(dir, KEYWORDS_FILE), 'utf8'))
        : [];
      state = { dir, keywords, keywordCount: keywords.length };
      folders.set(message.folder, state);
    }
    count += 1;
    const seconds = Math.floor(message.internalDate.getTime() / 1000);
    const base = `${seconds}.M${count}P${process.pid}.mailyard,S=${message.raw.length}`;
    const info = maildirInfo(message.flags, state.keywords);
    await saveKeywords(state);
    const tmp = join(state.dir, 'tmp', base);
    await writeFile(tmp, message.raw);
    await utimes(tmp, message.internalDate, message.internalDate);
    await rename(tmp, join(state.dir, 'cur', `${base}${info}`));
  }
  return folders.size;
}

/** Every maildir under root with its folder path; INBOX first. */
export async function findMaildirs(
  root: string,
  defaultFolder = 'INBOX',
): Promise<Array<{ dir: string; folder: string }>> {
  const found: Array<{ dir: string; folder: string }> = [];
  if (isMaildir(root)) {
    found.push({ dir: root, folder: defaultFolder });
    for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory() || !entry.name.startsWith('.') || entry.name === '.' || entry.name === '..') continue;
      const dir = join(root, entry.name);
      if (!isMaildir(dir)) continue;
      found.push({ dir, folder: entry.name.slice(1).split('.').map(unescapeSegment).join('/') });
    }
    return found;
  }
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory() || ['cur', 'new', 'tmp'].includes(entry.name)) continue;
      const sub = join(dir, entry.name);
      if (isMaildir(sub)) {
        const path = relative(root, sub).split(sep).join('/');
        found.push({ dir: sub, folder: path.toUpperCase() === 'INBOX' ? 'INBOX' : path });
      }
      await walk(sub);
    }
  };
  await walk(root);
  return found.sort((a, b) => (a.folder === 'INBOX' ? -1 : b.folder === 'INBOX' ? 1 : 0));
}

/** Reads a Maildir tree message by message (one file in memory at a time), in delivery-time order per folder. */
export async function* readMaildir(root: string, defaultFolder = 'INBOX'): AsyncGenerator<ReadItem> {
  const maildirs = await findMaildirs(root, defaultFolder);
  if (maildirs.length === 0) throw new Error(`${root} holds no maildir (no cur/ or new/ directory)`);
  for (const { dir, folder } of maildirs) {
    const keywordsPath = join(dir, KEYWORDS_FILE);
    const keywords = existsSync(keywordsPath) ? parseDovecotKeywords(await readFile(keywordsPath, 'utf8')) : [];
    const files: Array<{ path: string; name: string; mtime: Date }> = [];
    for (const sub of ['new', 'cur']) {
      const subdir = join(dir, sub);
      if (!existsSync(subdir)) continue;
      for (const name of await readdir(subdir)) {
        if (name.startsWith('.')) continue;
        const path = join(subdir, name);
        const info = await stat(path);
        if (info.isFile()) files.push({ path, name, mtime: info.mtime });
      }
    }
    // Our own export numbers its files in the mailbox's UID order; other writers' files go by delivery time.
    const ours = (name: string) => Number(OWN_NAME.exec(name)?.[1] ?? Number.NaN);
    const byOwnNumber = files.every((f) => !Number.isNaN(ours(f.name)));
    files.sort((a, b) =>
      byOwnNumber
        ? ours(a.name) - ours(b.name)
        : a.mtime.getTime() - b.mtime.getTime() || a.name.localeCompare(b.name, 'en', { numeric: true }),
    );
    for (const file of files) {
      const source = relative(root, file.path) || file.path;
      try {
        const raw = await readFile(file.path);
        if (raw.length === 0) {
          yield { source, reason: 'empty file' };
          continue;
        }
        // Dovecot also renames files in new/ to give them flags; a plain new/ file has none.
        const flags = flagsFromMaildirName(file.name, keywords);
        yield { folder, raw, flags, internalDate: file.mtime, source };
      } catch (err) {
        yield { source, reason: `unreadable: ${(err as Error).message}` };
      }
    }
  }
}
