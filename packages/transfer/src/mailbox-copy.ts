/**
 * The encrypted copy of a mailbox: one zip archive (stored, not compressed: encrypted pages do not shrink) holding
 * `mailbox.keys.json` (the data key wrapped by the mailbox password and its recovery key) and `mailbox.db` (the
 * database, still encrypted with that data key). Whoever holds the archive without the password or recovery key
 * reads nothing; the server writing it reads nothing either beyond what the unlocked session already holds.
 *
 * Restoring: the two files are put into the layout of a private mail store in a temporary directory, which
 * unlocks the copy with the password (a wrong one fails there, before anything is written), and its messages
 * are then imported into the target mailbox like any other source (duplicates skipped), so a copy restores
 * into a new or an existing mailbox, on this server or another.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type MailboxSession, Mailstore, mailboxBackupFiles } from '@mailyard/mailstore';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { exportMessages } from './transfer.js';
import type { ReadItem } from './types.js';

export const COPY_DATABASE = 'mailbox.db';
export const COPY_KEY_FILE = 'mailbox.keys.json';

/** The encrypted copy archive as a stream, with its size in bytes (known before the first byte is sent). */
export interface CopyStream {
  stream: Readable;
  size: number;
}

/**
 * The encrypted copy archive of the session's mailbox as a stream (an HTTP download reads it as it is sent): the
 * database copy and key file are written to a private directory under `workDir`, removed when the stream closes,
 * whether it was read to the end or destroyed (a download cut short). The session may be closed once this resolves.
 */
export async function streamMailboxCopy(session: MailboxSession, workDir: string): Promise<CopyStream> {
  const work = await mkdtemp(join(workDir, '.mailyard-copy-'));
  try {
    const database = join(work, COPY_DATABASE);
    const keyFile = join(work, COPY_KEY_FILE);
    await session.encryptedCopy(database, keyFile);
    const zip = new yazl.ZipFile();
    // Stored entries: the archive's size is known up front (encrypted pages would not shrink anyway).
    zip.addFile(keyFile, COPY_KEY_FILE, { compress: false });
    zip.addFile(database, COPY_DATABASE, { compress: false });
    const size = await new Promise<number>((resolve, reject) => {
      zip.once('error', reject);
      // yazl calls back with the archive's size; its type definitions leave the argument out.
      zip.end({ forceZip64Format: false, comment: '' }, ((total: number) => resolve(total)) as () => void);
    });
    const stream = zip.outputStream as Readable;
    stream.once('close', () => void rm(work, { recursive: true, force: true }));
    return { stream, size };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

/** Writes the encrypted copy archive of the session's mailbox to `output`. */
export async function writeMailboxCopy(session: MailboxSession, output: string): Promise<void> {
  const { stream } = await streamMailboxCopy(session, dirname(output));
  await pipeline(stream, createWriteStream(output));
}

/** True when the zip archive at path is an encrypted mailbox copy (its first entry is the key file). */
export function isMailboxCopy(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return resolve(false);
      zip.once('entry', (entry: yauzl.Entry) => {
        zip.close();
        resolve(entry.fileName === COPY_KEY_FILE);
      });
      zip.once('end', () => resolve(false));
      zip.once('error', () => resolve(false));
      zip.readEntry();
    });
  });
}

async function extract(path: string, want: Map<string, string>): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      const target = want.get(entry.fileName);
      if (!target) return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        mkdir(dirname(target), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(target)))
          .then(() => zip.readEntry(), reject);
      });
    });
    zip.once('end', resolve);
    zip.once('error', reject);
    zip.readEntry();
  });
}

export interface OpenedCopy {
  session: MailboxSession;
  close(): Promise<void>;
}

/** What opens a copy: the mailbox password it was made with, or the mailbox's recovery key. */
export type CopySecret = { password: string } | { recoveryKey: string };

/**
 * Unlocks an encrypted copy in a private store under `workDir` (removed on close). Rejects with the store's
 * AuthenticationError when the password or recovery key does not open it.
 */
export async function openMailboxCopy(path: string, secret: CopySecret, workDir: string): Promise<OpenedCopy> {
  const dataDir = await mkdtemp(join(workDir, '.mailyard-restore-'));
  let store: Mailstore | undefined;
  try {
    const keyPath = join(dataDir, COPY_KEY_FILE);
    await extract(path, new Map([[COPY_KEY_FILE, keyPath]]));
    const { mailboxId } = JSON.parse(await readFile(keyPath, 'utf8')) as { mailboxId?: unknown };
    if (typeof mailboxId !== 'string') throw new Error(`${path}: the key file names no mailbox`);
    const files = await mailboxBackupFiles(dataDir, mailboxId);
    await extract(
      path,
      new Map([
        [COPY_KEY_FILE, join(dataDir, files.keyFile)],
        [COPY_DATABASE, join(dataDir, files.database)],
      ]),
    );
    store = new Mailstore({ dataDir, retentionDays: 0 });
    let password: string;
    if ('recoveryKey' in secret) {
      // The recovery key rewraps the private copy's data key under a one-time password (the archive is untouched).
      password = randomBytes(24).toString('base64url');
      await store.resetPassword(mailboxId, secret.recoveryKey, password);
    } else password = secret.password;
    const session = await store.open(mailboxId, password);
    const opened = store;
    return {
      session,
      async close() {
        session.close();
        await opened.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** The messages of an opened copy as import items. */
export async function* readMailboxCopy(copy: OpenedCopy): AsyncGenerator<ReadItem> {
  yield* exportMessages(copy.session);
}
