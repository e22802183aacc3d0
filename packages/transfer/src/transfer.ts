/**
 * Moving messages between a mailbox session and the readers/writers of each format. Export reads one message
 * at a time from the store (a folder listing is small; message bytes are fetched as they are written). Import
 * goes through the store's own append (appendMany: parse, index, thread, quota, change events), in batches that
 * share one transaction, so imported mail is searchable, threaded, counted against the quota and announced to
 * open IMAP sessions exactly like mail appended over IMAP.
 *
 * Line endings: see crlfMessage. Duplicates: a message whose Message-ID and size match a message already in its target folder is skipped, so an
 * import can be run again after an interruption; a message without a Message-ID is a duplicate only of one with
 * the same bytes.
 */
import { findHeaderEnd, splitHeaderFields } from '@mailyard/mail';
import type { AppendOptions, MailboxSession } from '@mailyard/mailstore';
import { isUnreadable, type ProgressCallback, type ReadItem, type TransferMessage } from './types.js';

export interface ExportOptions {
  /** Only this folder (default: every folder). */
  folder?: string;
}

function foldersOf(session: MailboxSession, opts: ExportOptions): string[] {
  if (opts.folder) {
    if (!session.getFolder(opts.folder)) throw new Error(`no folder ${opts.folder}`);
    return [session.getFolder(opts.folder)?.path ?? opts.folder];
  }
  return session.listFolders().map((f) => f.path);
}

/** Messages and bytes an export will write (for a progress display). */
export function exportSize(session: MailboxSession, opts: ExportOptions = {}): { messages: number; bytes: number } {
  let messages = 0;
  let bytes = 0;
  for (const folder of foldersOf(session, opts)) {
    for (const m of session.listMessages(folder)) {
      messages += 1;
      bytes += m.size;
    }
  }
  return { messages, bytes };
}

/** The mailbox's messages in folder order, then UID order; message bytes exactly as stored. */
export async function* exportMessages(
  session: MailboxSession,
  opts: ExportOptions = {},
  onProgress?: ProgressCallback,
): AsyncGenerator<TransferMessage> {
  let messages = 0;
  let bytes = 0;
  for (const folder of foldersOf(session, opts)) {
    for (const summary of session.listMessages(folder)) {
      const raw = session.getRaw(folder, summary.uid);
      if (!raw) continue; // expunged since the listing
      yield {
        folder,
        raw,
        flags: [...summary.flags],
        internalDate: summary.internalDate,
        source: `${folder}/${summary.uid}`,
      };
      messages += 1;
      bytes += raw.length;
      onProgress?.({ messages, bytes });
    }
  }
}

export interface SkippedMessage {
  source: string;
  reason: string;
}

export interface ImportSummary {
  imported: number;
  importedBytes: number;
  duplicates: number;
  /** Messages not imported for a reason other than being a duplicate. */
  skipped: SkippedMessage[];
  foldersCreated: string[];
}

export interface ImportOptions {
  onProgress?: ProgressCallback;
  /** Messages per transaction at most (default 200); a batch is also cut at 8 MB. */
  batchSize?: number;
}

const SYSTEM_FLAGS = new Set(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft']);
/** An IMAP flag keyword is an atom (RFC 3501 §9 flag-keyword): no specials, controls or spaces. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the pattern refuses
const KEYWORD = /^[^\\(){ \x00-\x1f\x7f%*"\]]+$/;
const BATCH_BYTES = 8 * 1024 * 1024;
/**
 * Items between two yields to the event loop. A source that reads without I/O (an encrypted copy's store) resolves
 * every item in microtasks: without a yield a whole restore held the loop (5.5-6 s for 20,000 messages).
 */
const YIELD_EVERY = 100;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function cleanFlags(flags: string[]): string[] {
  return [...new Set(flags.filter((f) => SYSTEM_FLAGS.has(f) || (KEYWORD.test(f) && f.length <= 100)))];
}

/**
 * A message with Unix line endings only (Dovecot's Maildir, mutt's and mb2md's files store mail that way) gets
 * CRLF, the line ending of RFC 5322 and of what IMAP serves; a message with any CRLF is kept byte for byte.
 */
export function crlfMessage(raw: Buffer): Buffer {
  if (raw.indexOf('\r\n') >= 0 || raw.indexOf(10) < 0) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
}

/** The Message-ID of a raw message, as written (unfolded, trimmed), or '' when it has none. */
export function messageIdOf(raw: Buffer): string {
  const { headerEnd } = findHeaderEnd(raw, 0, raw.length);
  const field = splitHeaderFields(raw, 0, headerEnd).find((f) => f.name === 'message-id');
  if (!field) return '';
  const text = raw.toString('latin1', field.start, field.end);
  return text
    .slice(text.indexOf(':') + 1)
    .replace(/\r?\n[ \t]/g, '')
    .trim();
}

/** What a folder already holds, to recognise duplicates: Message-ID + size, and sizes of messages without one. */
class FolderIndex {
  readonly #ids = new Set<string>();
  readonly #anonymous = new Map<number, number[]>();
  readonly #added: Buffer[] = [];

  constructor(
    private readonly session: MailboxSession,
    private readonly folder: string,
  ) {
    for (const { uid, size } of session.listMessages(folder)) {
      const header = session.getSection(folder, uid, 'HEADER');
      const id = header ? messageIdOf(header) : '';
      if (id) this.#ids.add(`${size} ${id}`);
      else this.#anonymous.set(size, [...(this.#anonymous.get(size) ?? []), uid]);
    }
  }

  has(raw: Buffer): boolean {
    const id = messageIdOf(raw);
    if (id) return this.#ids.has(`${raw.length} ${id}`);
    if (this.#added.some((b) => b.equals(raw))) return true;
    return (this.#anonymous.get(raw.length) ?? []).some((uid) => this.session.getRaw(this.folder, uid)?.equals(raw));
  }

  add(raw: Buffer): void {
    const id = messageIdOf(raw);
    if (id) this.#ids.add(`${raw.length} ${id}`);
    else if (this.#added.length < 1000) this.#added.push(raw);
  }
}

interface Pending {
  message: TransferMessage;
  opts: AppendOptions;
}

/** Imports messages into the session's mailbox; unreadable ones and failures are listed, never fatal. */
export async function importMessages(
  session: MailboxSession,
  items: AsyncIterable<ReadItem>,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, importedBytes: 0, duplicates: 0, skipped: [], foldersCreated: [] };
  const indexes = new Map<string, FolderIndex>();
  const batchSize = opts.batchSize ?? 200;
  let seen = 0;
  let seenBytes = 0;
  let batch: Pending[] = [];
  let batchFolder = '';
  let batchBytes = 0;

  const progress = () => ({
    messages: seen,
    bytes: seenBytes,
    imported: summary.imported,
    duplicates: summary.duplicates,
  });

  const folderPath = (path: string): string => {
    const existing = session.getFolder(path);
    if (existing) return existing.path;
    const created = session.createFolder(path);
    summary.foldersCreated.push(created.path);
    return created.path;
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    batchBytes = 0;
    try {
      await session.appendMany(
        batchFolder,
        items.map((p) => ({ raw: p.message.raw, opts: p.opts })),
      );
      for (const p of items) {
        summary.imported += 1;
        summary.importedBytes += p.message.raw.length;
      }
    } catch {
      // One message spoiled the batch (over quota, too large, ...): store the rest one by one to name it.
      for (const p of items) {
        try {
          await session.append(batchFolder, p.message.raw, p.opts);
          summary.imported += 1;
          summary.importedBytes += p.message.raw.length;
        } catch (err) {
          summary.skipped.push({ source: p.message.source, reason: (err as Error).message });
        }
      }
    }
  };

  for await (const item of items) {
    seen += 1;
    if (seen % YIELD_EVERY === 0) await nextTurn();
    if (isUnreadable(item)) {
      summary.skipped.push(item);
    } else {
      seenBytes += item.raw.length;
      item.raw = crlfMessage(item.raw);
      let folder: string;
      try {
        folder = folderPath(item.folder);
      } catch (err) {
        summary.skipped.push({ source: item.source, reason: `folder ${item.folder}: ${(err as Error).message}` });
        opts.onProgress?.(progress());
        continue;
      }
      let index = indexes.get(folder);
      if (!index) {
        index = new FolderIndex(session, folder);
        indexes.set(folder, index);
      }
      if (index.has(item.raw)) {
        summary.duplicates += 1;
      } else {
        if (folder !== batchFolder || batch.length >= batchSize || batchBytes + item.raw.length > BATCH_BYTES)
          await flush();
        batchFolder = folder;
        index.add(item.raw);
        batch.push({ message: item, opts: { flags: cleanFlags(item.flags), internalDate: item.internalDate } });
        batchBytes += item.raw.length;
      }
    }
    opts.onProgress?.(progress());
  }
  await flush();
  return summary;
}
