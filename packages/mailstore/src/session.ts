/**
 * MailboxSession: what one protocol session sees of an unlocked mailbox. Thin: validates, runs the folder or
 * message operation on the shared handle, then publishes the change (commit first, notify second).
 */
import { copyFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ServerError, ValidationError } from '@mailyard/errors';
import { forgetLearning, learningStatus } from './bayes.js';
import { isOutOfSpace, recentUids, storageFullOr } from './disk-full.js';
import { binarySection, messageAttributes, previews } from './fetch-extensions.js';
import {
  createFolder,
  type FolderRef,
  findFolder,
  folderStatus,
  listFolders,
  orphanSubscriptions,
  pathKey,
  publicFolder,
  renameFolderTree,
  requireFolder,
  setSubscribed,
  validatePath,
} from './folders.js';
import type { MailboxHandle } from './handle.js';
import { sectionOf } from './indexing.js';
import { commitMessage, prepareMessage } from './ingest.js';
import { locateEmail } from './locate.js';
import {
  changesSince,
  claimRecent,
  copyMessages,
  deleteFolderWithMessages,
  expungeMessages,
  getMessage,
  getMime,
  getRaw,
  getRawByPath,
  moveAllMessages,
  moveMessages,
  storageStats,
  storeFlags,
} from './messages.js';
import { type AppendItem, commitAll, prepareAll } from './multiappend.js';
import { searchFolder } from './search.js';
import { sortFolder, threadFolder } from './sort.js';
import { emailSummaries } from './summaries.js';
import type {
  AppendOptions,
  AppendResult,
  BinarySectionResult,
  Change,
  CopyResult,
  CreateFolderOptions,
  EmailLocation,
  EmailSummary,
  Folder,
  FolderStatus,
  ListingFacts,
  MailboxSession,
  MessageAttributes,
  MessageQuery,
  MessageSummary,
  PartialRange,
  QuotaInfo,
  SearchOptions,
  SortCriterion,
  SpamLearningStatus,
  StorageStats,
  StoredMessage,
  StoreOperation,
  StoreResult,
  ThreadAlgorithm,
  ThreadNode,
} from './types.js';

export class HandleSession implements MailboxSession {
  readonly id: string;
  readonly #handle: MailboxHandle;
  readonly #release: () => void;
  #closed = false;

  constructor(handle: MailboxHandle, release: () => void) {
    this.id = handle.id;
    this.#handle = handle;
    this.#release = release;
  }

  get #db() {
    if (this.#closed || this.#handle.closed) throw new ServerError(`mailbox session ${this.id} is closed`);
    this.#handle.lastUsed = Date.now();
    return this.#handle.db;
  }

  /** COPY, MOVE and STORE of $Junk / $NotJunk train the spam classifier (bayes.ts) unless learning is off. */
  get #transfer() {
    return { learn: this.#handle.spamLearning.enabled };
  }

  /** An APPEND into Junk trains spam, as a move there does (a client filing mail it fetched elsewhere). */
  #appendTraining(folder: FolderRef): { trainAs?: 'spam' } {
    return this.#handle.spamLearning.enabled && folder.specialUse === '\\Junk' ? { trainAs: 'spam' } : {};
  }

  /** Runs a write: on a full disk it fails as StorageFullError (disk-full.ts), while reads keep working. */
  #write<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      throw storageFullOr(err, dirname(this.#handle.paths.db));
    } finally {
      this.#handle.noteUsage();
    }
  }

  drainSpool(): Promise<number> {
    void this.#db;
    return this.#handle.drainSpool();
  }

  listFolders(): Folder[] {
    return listFolders(this.#db).map(publicFolder);
  }

  getFolder(path: string): Folder | null {
    const folder = findFolder(this.#db, path);
    return folder ? publicFolder(folder) : null;
  }

  createFolder(path: string, opts?: CreateFolderOptions): Folder {
    const folder = this.#write(() => createFolder(this.#db, path, opts));
    this.#handle.publish({ folder: folder.path, kind: 'folder' });
    return publicFolder(folder);
  }

  renameFolder(from: string, to: string): void {
    const db = this.#db;
    this.#write(() => {
      if (pathKey(from) !== 'INBOX') return renameFolderTree(db, from, to);
      const inbox = requireFolder(db, 'INBOX');
      moveAllMessages(db, inbox, createFolder(db, to));
    });
    this.#handle.publish({ folder: validatePath(to), kind: 'folder' });
  }

  deleteFolder(path: string): void {
    const db = this.#db;
    const folder = requireFolder(db, path);
    if (folder.path === 'INBOX') throw new ValidationError('INBOX cannot be deleted', 'path');
    this.#write(() => deleteFolderWithMessages(db, folder));
    this.#handle.publish({ folder: folder.path, kind: 'folder' });
  }

  setSubscribed(path: string, subscribed: boolean): void {
    this.#write(() => setSubscribed(this.#db, path, subscribed));
  }

  orphanSubscriptions(): string[] {
    return orphanSubscriptions(this.#db);
  }

  status(path: string): FolderStatus {
    return folderStatus(this.#db, path);
  }

  async append(path: string, raw: Buffer, opts: AppendOptions = {}): Promise<AppendResult> {
    const folder = requireFolder(this.#db, path);
    const [prepared, limit] = await Promise.all([prepareMessage(raw), this.#handle.refreshLimits()]);
    const result = this.#write(() =>
      commitMessage(this.#db, prepared, {
        folderId: folder.id,
        flags: opts.flags,
        internalDate: opts.internalDate,
        quotaBytes: limit,
        ...this.#appendTraining(folder),
      }),
    ) as AppendResult;
    this.#handle.scheduleIndexing();
    this.#handle.publish({ folder: folder.path, kind: 'added', uid: result.uid, modseq: result.modseq });
    return result;
  }

  listMessages(path: string): MessageSummary[] {
    const db = this.#db;
    return this.#handle.listings.list(db, requireFolder(db, path));
  }

  listingFacts(path: string): ListingFacts {
    const db = this.#db;
    return this.#handle.listings.facts(db, requireFolder(db, path));
  }

  getMessage(path: string, uid: number): StoredMessage | null {
    const db = this.#db;
    return getMessage(db, requireFolder(db, path), uid);
  }

  getRaw(path: string, uid: number): Buffer | null {
    const db = this.#db;
    const raw = getRawByPath(db, path, uid);
    if (!raw) requireFolder(db, path);
    return raw;
  }

  /** RFC 3501 §6.4.5 BODY[section]<partial>: a partial past the end gives an empty buffer. */
  getSection(path: string, uid: number, section: string, partial?: PartialRange): Buffer | null {
    const db = this.#db;
    const folder = requireFolder(db, path);
    const raw = getRaw(db, folder, uid);
    const mime = getMime(db, folder, uid);
    if (!raw || !mime) return null;
    const bytes = sectionOf(raw, JSON.parse(mime), section);
    if (!bytes || !partial) return bytes;
    const end = partial.length === undefined ? bytes.length : partial.start + partial.length;
    return bytes.subarray(Math.min(partial.start, bytes.length), Math.min(end, bytes.length));
  }

  store(path: string, uids: number[], op: StoreOperation): StoreResult {
    const db = this.#db;
    const folder = requireFolder(db, path);
    const result = this.#write(() => storeFlags(db, folder, uids, op, this.#transfer));
    for (const u of result.updated) this.#handle.publish({ folder: folder.path, kind: 'flags', ...u });
    return result;
  }

  copy(path: string, uids: number[], dest: string): CopyResult {
    const db = this.#db;
    const target = requireFolder(db, dest);
    const result = this.#write(() =>
      copyMessages(db, requireFolder(db, path), uids, target, this.#handle.quotaLimit, this.#transfer),
    );
    for (const uid of result.destUids) this.#handle.publish({ folder: target.path, kind: 'added', uid });
    return result;
  }

  move(path: string, uids: number[], dest: string): CopyResult {
    const db = this.#db;
    const source = requireFolder(db, path);
    const target = requireFolder(db, dest);
    const result = this.#write(() => moveMessages(db, source, uids, target, this.#handle.quotaLimit, this.#transfer));
    for (const uid of result.destUids) this.#handle.publish({ folder: target.path, kind: 'added', uid });
    for (const uid of result.sourceUids) this.#handle.publish({ folder: source.path, kind: 'expunged', uid });
    return result;
  }

  expunge(path: string, uids?: number[]): number[] {
    const db = this.#db;
    const folder = requireFolder(db, path);
    const removed = this.#write(() => expungeMessages(db, folder, uids));
    for (const uid of removed) this.#handle.publish({ folder: folder.path, kind: 'expunged', uid });
    return removed;
  }

  search(path: string, query: MessageQuery, opts?: SearchOptions): number[] {
    const db = this.#db;
    return searchFolder(db, requireFolder(db, path), query, opts);
  }

  sort(path: string, criteria: SortCriterion[], query: MessageQuery, opts?: SearchOptions): number[] {
    const db = this.#db;
    return sortFolder(db, requireFolder(db, path), criteria, query, opts);
  }

  thread(path: string, algorithm: ThreadAlgorithm, query: MessageQuery, opts?: SearchOptions): ThreadNode[] {
    const db = this.#db;
    return threadFolder(db, requireFolder(db, path), algorithm, query, opts);
  }

  messageAttributes(path: string, uids: number[]): MessageAttributes[] {
    const db = this.#db;
    return messageAttributes(db, requireFolder(db, path), uids);
  }

  previews(path: string, uids: number[]): Map<number, string> {
    const db = this.#db;
    return previews(db, requireFolder(db, path), uids);
  }

  getBinarySection(path: string, uid: number, section: string, partial?: PartialRange): BinarySectionResult | null {
    const db = this.#db;
    return binarySection(db, requireFolder(db, path), uid, section, partial);
  }

  async appendMany(path: string, messages: AppendItem[]): Promise<AppendResult[]> {
    requireFolder(this.#db, path);
    const [prepared, limit] = await Promise.all([prepareAll(messages), this.#handle.refreshLimits()]);
    const folder = requireFolder(this.#db, path);
    const results = this.#write(() =>
      commitAll(this.#db, folder.id, messages, prepared, limit, this.#appendTraining(folder)),
    );
    this.#handle.scheduleIndexing();
    for (const r of results) this.#handle.publish({ folder: folder.path, kind: 'added', uid: r.uid, modseq: r.modseq });
    return results;
  }

  changesSince(path: string, modseq: number): Change[] {
    const db = this.#db;
    return changesSince(db, requireFolder(db, path), modseq);
  }

  /**
   * On a full disk the claim (a write) fails, and SELECT still answers: the recent messages are reported without
   * being claimed, which RFC 3501 §2.3.2 allows ("if it is not possible to determine whether or not this session
   * is the first session to be notified about a message, then that message SHOULD be considered recent").
   */
  claimRecent(path: string): number[] {
    const db = this.#db;
    const folder = requireFolder(db, path);
    try {
      return claimRecent(db, folder);
    } catch (err) {
      if (!isOutOfSpace(err, dirname(this.#handle.paths.db))) throw err;
      return recentUids(db, folder.id);
    }
  }

  quota(): QuotaInfo {
    void this.#db;
    const usage = this.#handle.usage();
    const limit = this.#handle.quotaLimit;
    return {
      usedBytes: usage.bytes,
      limitBytes: limit.bytes,
      usedMessages: usage.messages,
      limitMessages: limit.messages,
    };
  }

  async refreshQuota(): Promise<QuotaInfo> {
    void this.#db;
    await this.#handle.refreshLimits();
    return this.quota();
  }

  storageStats(): StorageStats {
    return storageStats(this.#db);
  }

  spamLearning(): SpamLearningStatus {
    return learningStatus(this.#db, this.#handle.spamLearning);
  }

  forgetSpamLearning(): SpamLearningStatus {
    this.#write(() => forgetLearning(this.#db));
    return this.spamLearning();
  }

  async encryptedCopy(databasePath: string, keyFilePath: string): Promise<void> {
    void this.#db;
    await rm(databasePath, { force: true });
    // VACUUM INTO reads in one transaction (a consistent snapshot while other sessions and processes write) and
    // writes the copy encrypted with the same data key; the online backup API refuses a target of another cipher.
    // It runs in a worker thread (handle.vacuumInto): a large mailbox's copy no longer holds the event loop.
    await this.#handle.vacuumInto(databasePath);
    await copyFile(this.#handle.paths.keyFile, keyFilePath);
  }

  locate(emailId: string): EmailLocation[] {
    return locateEmail(this.#db, emailId);
  }

  summaries(path: string, uids: number[]): EmailSummary[] {
    const db = this.#db;
    return emailSummaries(db, requireFolder(db, path), uids);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
  }
}
