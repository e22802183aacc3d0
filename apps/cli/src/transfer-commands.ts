/**
 * `mailyard export` and `mailyard import`: a mailbox to and from mbox, Maildir, a zip of EML files and the
 * encrypted database copy (import restores it, through @mailyard/transfer's openImportSource). They unlock the
 * mailbox with its password like any session, so they work while the server runs: the database is SQLite in WAL
 * mode shared between processes, and every message imported is announced through the change notifier, so an IMAP
 * session (IDLE, NOOP) of the mailbox sees it at once.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ControlStore } from '@mailyard/control';
import type { MailboxSession, Mailstore } from '@mailyard/mailstore';
import {
  detectSource,
  exportMessages,
  exportSize,
  type ImportSource,
  importMessages,
  openImportSource,
  type SourceKind,
  writeEmlZip,
  writeMailboxCopy,
  writeMaildir,
  writeMbox,
} from '@mailyard/transfer';
import { megabytes, ProgressLine, type ProgressSink } from './progress.js';

export const EXPORT_FORMATS = ['mbox', 'maildir', 'eml-zip', 'sqlite'] as const;
const IMPORT_FORMATS: Record<string, SourceKind> = {
  mbox: 'mbox',
  maildir: 'maildir',
  eml: 'eml',
  zip: 'zip',
  'eml-zip': 'zip',
  'maildir-zip': 'maildir-zip',
  sqlite: 'copy',
};
/** The skipped messages named one by one in the summary; the rest are counted. */
const SKIPPED_SHOWN = 50;

export interface TransferContext {
  control: ControlStore;
  mailstore: Mailstore;
  out: (line: string) => void;
  env: Record<string, string | undefined>;
  progress?: ProgressSink;
  /** Asks for a secret on the terminal (no echo); absent off a terminal. */
  prompt?: (question: string) => Promise<string>;
}

export class TransferUsageError extends Error {}

type Options = Record<string, string | boolean | undefined>;

async function mailboxPassword(ctx: TransferContext, address: string): Promise<string> {
  const fromEnv = ctx.env.MAILYARD_MAILBOX_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!ctx.prompt) throw new TransferUsageError('set MAILYARD_MAILBOX_PASSWORD (no terminal to ask for the password)');
  return ctx.prompt(`Mailbox password for ${address}: `);
}

/** Unlocks the address's mailbox with its password (a wrong one is refused as a login would be). */
export async function openMailbox(ctx: TransferContext, address: string): Promise<MailboxSession> {
  const password = await mailboxPassword(ctx, address);
  const found = await ctx.control.verifyMailboxPassword(address, password);
  const mailboxId = found?.alias.mailboxId;
  if (!mailboxId) throw new Error(`wrong password, or ${address} has no mailbox`);
  return ctx.mailstore.open(mailboxId, password);
}

function stringOption(opts: Options, name: string): string | undefined {
  const value = opts[name];
  return typeof value === 'string' ? value : undefined;
}

export async function exportCommand(ctx: TransferContext, [address]: string[], opts: Options): Promise<void> {
  const format = stringOption(opts, 'format');
  const output = stringOption(opts, 'output');
  if (!address || !format || !output)
    throw new TransferUsageError(`export needs <address> --format ${EXPORT_FORMATS.join('|')} --output <path>`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new TransferUsageError(`unknown export format ${format} (${EXPORT_FORMATS.join(', ')})`);
  const folder = stringOption(opts, 'folder');
  const session = await openMailbox(ctx, address);
  try {
    const total = exportSize(session, { folder });
    const progress = new ProgressLine(ctx.progress, 'export', total.bytes, total.messages);
    let exported = 0;
    let bytes = 0;
    const messages = exportMessages(session, { folder }, (p) => {
      exported = p.messages;
      bytes = p.bytes;
      progress.update(p.messages, p.bytes);
    });
    const started = Date.now();
    if (format === 'maildir') {
      await writeMaildir(output, messages);
    } else {
      // Written beside the target and renamed when complete: a half-written export never looks like a whole one.
      const partial = `${output}.partial`;
      try {
        if (format === 'mbox') await pipeline(Readable.from(writeMbox(messages)), createWriteStream(partial));
        else if (format === 'sqlite') {
          if (folder) throw new TransferUsageError('the sqlite copy is of the whole mailbox (no --folder)');
          await writeMailboxCopy(session, partial);
          exported = total.messages;
          bytes = (await stat(partial)).size;
        } else await writeEmlZip(messages, partial);
        await rename(partial, output);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
    }
    progress.done();
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    ctx.out(
      `exported ${exported} messages (${megabytes(bytes)}) ${folder ? `of ${folder} ` : ''}to ${output} as ${format} in ${seconds.toFixed(1)} s`,
    );
  } finally {
    session.close();
  }
}

export async function importCommand(ctx: TransferContext, [address, path]: string[], opts: Options): Promise<void> {
  if (!address || !path) throw new TransferUsageError('import needs <address> <path>');
  const named = stringOption(opts, 'format');
  const kind = named ? IMPORT_FORMATS[named] : await detectSource(path);
  if (!kind)
    throw new TransferUsageError(`unknown import format ${named} (mbox, maildir, eml, zip, maildir-zip, sqlite)`);
  const folder = stringOption(opts, 'folder') ?? 'INBOX';
  const info = await stat(path);
  const session = await openMailbox(ctx, address);
  let input: ImportSource;
  let isCopy = false;
  const copySecret = async () => {
    isCopy = true;
    return { password: await copyPassword(ctx, path) };
  };
  try {
    input = await openImportSource(path, { kind, folder, copySecret });
  } catch (err) {
    session.close();
    if (!isCopy) throw err;
    throw new Error(`${path}: the encrypted copy does not open with this password (${(err as Error).message})`);
  }
  try {
    const label = input.kind === 'copy' ? 'encrypted copy' : input.kind;
    const progress = new ProgressLine(ctx.progress, `import (${label})`, info.isFile() ? info.size : undefined);
    const summary = await importMessages(session, input.items, {
      onProgress: (p) => progress.update(p.messages, p.bytes),
    });
    progress.done();
    ctx.out(`imported ${summary.imported} messages (${megabytes(summary.importedBytes)}) from ${path} (${label})`);
    if (summary.foldersCreated.length > 0) ctx.out(`folders created: ${summary.foldersCreated.join(', ')}`);
    ctx.out(`skipped ${summary.duplicates} duplicates (same Message-ID and size already in the folder)`);
    if (summary.skipped.length > 0) {
      ctx.out(`skipped ${summary.skipped.length} messages that could not be imported:`);
      for (const s of summary.skipped.slice(0, SKIPPED_SHOWN)) ctx.out(`  ${s.source}: ${s.reason}`);
      if (summary.skipped.length > SKIPPED_SHOWN) ctx.out(`  ... and ${summary.skipped.length - SKIPPED_SHOWN} more`);
    }
  } finally {
    session.close();
    await input.close();
  }
}

/**
 * An encrypted copy opens with the password of the mailbox it was made from: MAILYARD_COPY_PASSWORD, a prompt,
 * or else the target mailbox's own password (a copy restored into the mailbox it came from).
 */
async function copyPassword(ctx: TransferContext, path: string): Promise<string> {
  return (
    ctx.env.MAILYARD_COPY_PASSWORD ||
    (ctx.prompt ? await ctx.prompt('Password of the mailbox the copy was made from (empty: the same): ') : '') ||
    (await mailboxPassword(ctx, path))
  );
}
