/**
 * Mailstore: creates, unlocks, delivers into and deletes mailboxes, and keeps one shared handle per unlocked
 * mailbox in this process (see handle.ts). Sessions are cheap views onto a handle.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuthenticationError, ConflictError, type MinimalLogger, NotFoundError } from '@mailyard/errors';
import { DEFAULT_SPAM_LEARNING, type SpamLearningSettings } from './bayes.js';
import { isOutOfSpace } from './disk-full.js';
import { createDefaultFolders } from './folders.js';
import { MailboxHandle } from './handle.js';
import {
  createMailboxKeys,
  decoyKeyFile,
  type KeyFile,
  kdfParams,
  readKeyFile,
  rewrapPassword,
  type ScryptParams,
  unwrapWithPassword,
  unwrapWithRecovery,
} from './keys.js';
import { FileChangeNotifier } from './notifier.js';
import { ensureDir, mailboxPaths, writeFileAtomic } from './paths.js';
import { PrivateNotifier } from './private-notifier.js';
import { openDatabase } from './schema.js';
import { HandleSession } from './session.js';
import { publicKeyObject, SpoolWriter, sealRecord, spoolMeta, writeSealedStream } from './spool.js';
import { SpoolUsage } from './spool-usage.js';
import type {
  ChangeEvent,
  ChangeNotifier,
  CreateMailboxOptions,
  CreateMailboxResult,
  DeliverMeta,
  DeliverSource,
  MailboxSession,
  MailstoreOptions,
  QuotaSource,
} from './types.js';

export const DEFAULT_QUOTA_BYTES = 10 * 1024 ** 3;
const DEFAULT_IDLE_CLOSE_MS = 30_000;
const DEFAULT_MAX_IDLE_HANDLES = 64;
/** Trash and Junk keep mail 30 days, the habit of the large mail services. */
const DEFAULT_RETENTION_DAYS = 30;

async function fileStamp(path: string): Promise<string | null> {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function fileStampNow(path: string): string | null {
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? `${s.ino}:${s.mtimeMs}:${s.size}` : null;
}

export class Mailstore {
  readonly notifier: ChangeNotifier;
  readonly #dataDir: string;
  readonly #quotaBytes: number;
  readonly #quotaSource: QuotaSource | undefined;
  readonly #kdf: ScryptParams;
  readonly #idleCloseMs: number;
  readonly #maxIdle: number;
  readonly #retentionDays: number;
  readonly #spamLearning: SpamLearningSettings;
  readonly #logger: MinimalLogger | undefined;
  readonly #ownsNotifier: boolean;
  readonly #onDatabaseOpen: (() => void) | undefined;
  readonly #spoolUsage = new SpoolUsage();
  readonly #spool = new SpoolWriter((dir, batch) => this.#spoolUsage.noteWritten(dir, batch.name, batch.bytes));
  readonly #handles = new Map<string, MailboxHandle>();
  readonly #opening = new Map<string, Promise<MailboxHandle>>();
  readonly #unsubscribe = new Map<string, () => void>();
  readonly #publicKeys = new Map<string, { stamp: string; key: KeyObject }>();
  readonly #decoy: KeyFile;

  constructor(opts: MailstoreOptions) {
    this.#dataDir = opts.dataDir;
    this.#quotaBytes = opts.quotaBytes ?? DEFAULT_QUOTA_BYTES;
    this.#quotaSource = opts.quotaSource;
    this.#kdf = kdfParams(opts.kdf);
    this.#decoy = decoyKeyFile(this.#kdf);
    this.#idleCloseMs = opts.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
    this.#maxIdle = opts.maxIdleHandles ?? DEFAULT_MAX_IDLE_HANDLES;
    this.#retentionDays = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
    const learning = opts.spamLearning ?? {};
    this.#spamLearning = {
      enabled: learning.enabled ?? DEFAULT_SPAM_LEARNING.enabled,
      threshold: learning.threshold ?? DEFAULT_SPAM_LEARNING.threshold,
      minTrained: learning.minTrained ?? DEFAULT_SPAM_LEARNING.minTrained,
    };
    this.#logger = opts.logger;
    this.#ownsNotifier = !opts.notifier;
    this.#onDatabaseOpen = opts.onDatabaseOpen;
    const transport =
      opts.notifier ??
      new FileChangeNotifier(opts.dataDir, {
        pollMs: opts.notifyPollMs,
        onWriteError: (err, mailboxId) => this.#report(err, mailboxId, 'change event not written'),
      });
    this.notifier = new PrivateNotifier(transport, (id) => {
      const handle = this.#handles.get(id);
      return handle && !handle.closed ? handle.notifyKey : null;
    });
  }

  exists(mailboxId: string): boolean {
    return existsSync(mailboxPaths(this.#dataDir, mailboxId).keyFile);
  }

  /** True while this process holds the mailbox unlocked: in use, or idle until idleCloseMs closes it. */
  isOpen(mailboxId: string): boolean {
    return this.#handles.has(mailboxId);
  }

  async createMailbox(
    mailboxId: string,
    password: string,
    opts: CreateMailboxOptions = {},
  ): Promise<CreateMailboxResult> {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    if (this.exists(mailboxId)) throw new ConflictError(`Mailbox ${mailboxId} already exists`);
    const keys = await createMailboxKeys(mailboxId, password, this.#kdf, opts.recoveryKey === true);
    ensureDir(dirname(paths.db));
    await removeDatabaseFiles(paths.db);
    const db = openDatabase(paths.db, keys.dataKey);
    try {
      createDefaultFolders(db);
    } finally {
      db.close();
      keys.dataKey.fill(0);
    }
    await writeFileAtomic(paths.keyFile, JSON.stringify(keys.file, null, 2), dirname(paths.keyFile));
    return keys.recoveryKey
      ? { publicKey: keys.file.publicKey, recoveryKey: keys.recoveryKey }
      : { publicKey: keys.file.publicKey };
  }

  /** Seals the message to the mailbox public key and resolves once it is durable in the spool. */
  async deliver(mailboxId: string, raw: Buffer, meta: DeliverMeta = {}): Promise<void> {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    const recipient = await this.#publicKey(mailboxId, paths.keyFile);
    await this.#spool.append(paths.spoolDir, sealRecord(recipient, { meta: spoolMeta(meta), raw }));
    this.notifier.publish({ mailboxId, folder: meta.folder ? '' : 'INBOX', kind: 'spool' });
  }

  /**
   * deliver() for a message read from a stream (a large one that was never whole in memory): sealed chunk by
   * chunk into a spool file of its own, durable when this resolves.
   */
  async deliverStream(mailboxId: string, source: DeliverSource, meta: DeliverMeta = {}): Promise<void> {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    const recipient = await this.#publicKey(mailboxId, paths.keyFile);
    const batch = await writeSealedStream(paths.spoolDir, recipient, spoolMeta(meta), source);
    this.#spoolUsage.noteWritten(paths.spoolDir, batch.name, batch.bytes);
    this.notifier.publish({ mailboxId, folder: meta.folder ? '' : 'INBOX', kind: 'spool' });
  }

  /**
   * The sealed spool entries of the mailbox not yet drained into it: their bytes (the file sizes, a little more
   * than the messages) and their files (one message each, or several a group commit sealed together: a lower
   * bound of the messages). The MX adds them to the mailbox's reported usage, without unlocking it. Kept per
   * mailbox (spool-usage.ts): one stat of the spool directory per call while only this process changes it; what
   * other processes spool or drain shows within a second on a spool of more than 256 files, at once on a smaller.
   */
  async spoolUsage(mailboxId: string): Promise<{ bytes: number; files: number }> {
    return this.#spoolUsage.usage(mailboxPaths(this.#dataDir, mailboxId).spoolDir);
  }

  async #publicKey(mailboxId: string, keyFile: string): Promise<KeyObject> {
    // A synchronous stat of a file whose inode is cached takes microseconds; the promise version went through
    // libuv's thread pool and two turns of the event loop for each delivery (about 3% of the MX's CPU per
    // message in a profile of sequential deliveries). The stamp still catches a key file replaced or removed.
    const stamp = fileStampNow(keyFile);
    if (!stamp) throw new NotFoundError(`No mailbox ${mailboxId}`);
    const cached = this.#publicKeys.get(mailboxId);
    if (cached?.stamp === stamp) return cached.key;
    const key = publicKeyObject((await readKeyFile(keyFile)).publicKey);
    this.#publicKeys.set(mailboxId, { stamp, key });
    return key;
  }

  /** Unlocks the mailbox (AuthenticationError when the password is wrong) and drains its spool. */
  async open(mailboxId: string, password: string): Promise<MailboxSession> {
    const handle = await this.#unlock(mailboxId, password);
    this.#acquire(handle);
    const session = new HandleSession(handle, () => this.#releaseHandle(handle));
    try {
      await handle.drainSpool();
    } catch (err) {
      this.#report(err, mailboxId, 'spool drain failed');
    }
    try {
      handle.applyRetention(this.#retentionDays);
    } catch (err) {
      this.#report(err, mailboxId, 'retention failed');
    }
    if (handle.degraded) this.#logger?.warn({ mailboxId }, 'disk full: mailbox opened for reading only');
    return session;
  }

  /** A drain or retention failure: a full disk is a warning (the mail waits in the spool), anything else an error. */
  #report(err: unknown, mailboxId: string, msg: string): void {
    const dir = dirname(mailboxPaths(this.#dataDir, mailboxId).db);
    if (isOutOfSpace(err, dir)) this.#logger?.warn({ err, mailboxId }, `${msg}: disk full`);
    else this.#logger?.error({ err, mailboxId }, msg);
  }

  /**
   * The KDF work of unlocking a mailbox (the configured scrypt parameters, the AEAD check), for a login whose
   * user is unknown or whose check already failed elsewhere: such a login then takes as long as a wrong password
   * for a real mailbox, so timing does not tell which users exist (issue 12 item 7). Always resolves.
   */
  async simulateUnlock(password: string): Promise<void> {
    try {
      const key = await unwrapWithPassword(this.#decoy, password);
      key.fill(0);
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
    }
  }

  async #unlock(mailboxId: string, password: string): Promise<MailboxHandle> {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    const stamp = await fileStamp(paths.keyFile);
    if (!stamp) {
      await this.simulateUnlock(password);
      throw new AuthenticationError('Invalid mailbox credentials');
    }
    const held = this.#handles.get(mailboxId);
    if (held && !held.closed && held.keyFileStamp === stamp && held.knowsLogin(password)) return held;
    const file = await readKeyFile(paths.keyFile);
    const dataKey = await unwrapWithPassword(file, password);
    const current = this.#handles.get(mailboxId);
    if (current && !current.closed && current.ownsKey(dataKey)) {
      dataKey.fill(0);
      if (current.keyFileStamp !== stamp) current.forgetLogins();
      current.keyFileStamp = stamp;
      current.rememberLogin(password);
      return current;
    }
    const handle = await this.#openHandle(mailboxId, file, dataKey, stamp);
    handle.rememberLogin(password);
    return handle;
  }

  #openHandle(mailboxId: string, file: KeyFile, dataKey: Buffer, stamp: string): Promise<MailboxHandle> {
    const pending = this.#opening.get(mailboxId);
    if (pending) {
      dataKey.fill(0);
      return pending;
    }
    const opening = (async () => {
      const paths = mailboxPaths(this.#dataDir, mailboxId);
      const handle = new MailboxHandle(mailboxId, paths, file, dataKey, stamp, {
        quotaBytes: this.#quotaBytes,
        ...(this.#quotaSource ? { quotaSource: this.#quotaSource } : {}),
        spamLearning: this.#spamLearning,
        publish: (event) => this.notifier.publish(event),
        logger: this.#logger,
        onDrainError: (err) => this.#report(err, mailboxId, 'spool drain failed'),
      });
      this.#onDatabaseOpen?.();
      this.#unsubscribe.get(mailboxId)?.();
      this.#handles.set(mailboxId, handle);
      this.#unsubscribe.set(
        mailboxId,
        this.notifier.subscribe(mailboxId, (event) => this.#onChange(handle, event)),
      );
      // Limits first: a session's first write is checked against them. The usage goes out once, for a mailbox
      // filled while no session reported (an import by the CLI, a store older than quotas in control.db).
      await handle.refreshLimits().catch((err: unknown) => this.#report(err, mailboxId, 'quota limits not read'));
      handle.noteUsage();
      return handle;
    })().finally(() => this.#opening.delete(mailboxId));
    this.#opening.set(mailboxId, opening);
    return opening;
  }

  /** A delivery in any process: drain at once so sessions of this mailbox (IMAP IDLE) see it within a second. */
  #onChange(handle: MailboxHandle, event: ChangeEvent): void {
    if (event.kind !== 'spool' || handle.closed) return;
    handle.drainSpool().catch((err: unknown) => this.#report(err, handle.id, 'spool drain failed'));
  }

  #acquire(handle: MailboxHandle): void {
    handle.refs += 1;
    handle.lastUsed = Date.now();
    if (handle.idleTimer) clearTimeout(handle.idleTimer);
    handle.idleTimer = null;
  }

  #releaseHandle(handle: MailboxHandle): void {
    handle.refs -= 1;
    if (handle.refs > 0 || handle.closed) return;
    handle.releaseSpamCache();
    if (handle.degraded) {
      // Its EXCLUSIVE lock keeps other processes out of the mailbox: give it back now (disk-full.ts).
      void this.#closeHandle(handle);
      return;
    }
    handle.idleTimer = setTimeout(() => void this.#closeHandle(handle), this.#idleCloseMs);
    handle.idleTimer.unref();
    this.#closeExcessIdle();
  }

  #closeExcessIdle(): void {
    const idle = [...this.#handles.values()].filter((h) => h.refs === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const handle of idle.slice(0, Math.max(0, idle.length - this.#maxIdle))) void this.#closeHandle(handle);
  }

  async #closeHandle(handle: MailboxHandle): Promise<void> {
    if (handle.refs > 0) return;
    if (this.#handles.get(handle.id) === handle) {
      this.#handles.delete(handle.id);
      this.#unsubscribe.get(handle.id)?.();
      this.#unsubscribe.delete(handle.id);
    }
    await handle.close();
  }

  async changePassword(mailboxId: string, oldPassword: string, newPassword: string): Promise<void> {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    if (!this.exists(mailboxId)) throw new AuthenticationError('Invalid mailbox credentials');
    const file = await readKeyFile(paths.keyFile);
    const dataKey = await unwrapWithPassword(file, oldPassword);
    await this.#rewrap(mailboxId, file, dataKey, newPassword);
  }

  async resetPassword(mailboxId: string, recoveryKey: string, newPassword: string): Promise<void> {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    if (!this.exists(mailboxId)) throw new AuthenticationError('Invalid recovery key');
    const file = await readKeyFile(paths.keyFile);
    const dataKey = unwrapWithRecovery(file, recoveryKey);
    await this.#rewrap(mailboxId, file, dataKey, newPassword);
  }

  async #rewrap(mailboxId: string, file: KeyFile, dataKey: Buffer, newPassword: string): Promise<void> {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    try {
      const next = await rewrapPassword(file, dataKey, newPassword, this.#kdf);
      await writeFileAtomic(paths.keyFile, JSON.stringify(next, null, 2), dirname(paths.keyFile));
    } finally {
      dataKey.fill(0);
    }
    const held = this.#handles.get(mailboxId);
    if (held) {
      held.forgetLogins();
      held.keyFileStamp = (await fileStamp(paths.keyFile)) ?? '';
      held.rememberLogin(newPassword);
    }
  }

  /** Removes the key file first (the mailbox stops existing at once), then the database, spool and events. */
  async deleteMailbox(mailboxId: string): Promise<void> {
    const paths = mailboxPaths(this.#dataDir, mailboxId);
    const held = this.#handles.get(mailboxId);
    if (held) {
      held.refs = 0;
      await this.#closeHandle(held);
    }
    this.#publicKeys.delete(mailboxId);
    await rm(paths.keyFile, { force: true });
    await removeDatabaseFiles(paths.db);
    await rm(paths.spoolDir, { recursive: true, force: true });
    this.#spoolUsage.forget(paths.spoolDir);
    await rm(paths.notifyFile, { force: true });
  }

  async close(): Promise<void> {
    const handles = [...this.#handles.values()];
    for (const handle of handles) handle.refs = 0;
    await Promise.all(handles.map((h) => this.#closeHandle(h)));
    if (this.#ownsNotifier) await this.notifier.close?.();
  }
}

async function removeDatabaseFiles(db: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${db}${suffix}`, { force: true });
}
