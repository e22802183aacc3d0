/**
 * One unlocked mailbox in this process: the database handle shared by all sessions, the keys, and the
 * spool drain. Reference-counted by sessions; the owner (Mailstore) closes it after a grace period once the
 * last session released it, and close() zeroes the data key.
 */
import { createHmac, type KeyObject, randomBytes } from 'node:crypto';
import { QuotaExceededError } from '@mailyard/errors';
import { findFolder, requireFolder } from './folders.js';
import { commitMessage, prepareMessage } from './ingest.js';
import { decryptPrivateKey, type KeyFile } from './keys.js';
import type { MailboxPaths } from './paths.js';
import { type Db, openDatabase, prepValue } from './schema.js';
import { headerMatchFunction } from './search.js';
import { listBatches, openRecord, privateKeyObject, readBatch, removeBatch } from './spool.js';
import type { ChangeEvent, MailstoreLogger } from './types.js';

/** Process-random key for the in-memory login cache: a repeat login is checked without running scrypt. */
const LOGIN_CACHE_KEY = randomBytes(32);

export interface HandleDeps {
  quotaBytes: number;
  publish(event: ChangeEvent): void;
  logger?: MailstoreLogger;
}

export class MailboxHandle {
  readonly id: string;
  readonly db: Db;
  readonly paths: MailboxPaths;
  refs = 0;
  lastUsed = Date.now();
  idleTimer: NodeJS.Timeout | null = null;
  keyFileStamp: string;
  readonly #deps: HandleDeps;
  readonly #dataKey: Buffer;
  readonly #privateKey: KeyObject;
  readonly #publicRaw: Buffer;
  readonly #logins = new Set<string>();
  #drain: Promise<number> | null = null;
  #drainAgain = false;
  #closed = false;

  constructor(id: string, paths: MailboxPaths, file: KeyFile, dataKey: Buffer, stamp: string, deps: HandleDeps) {
    this.id = id;
    this.paths = paths;
    this.keyFileStamp = stamp;
    this.#deps = deps;
    this.#dataKey = dataKey;
    this.db = openDatabase(paths.db, dataKey);
    this.db.function('mailyard_header_match', { deterministic: true }, (h, f, n) =>
      headerMatchFunction(String(h), String(f), String(n)),
    );
    this.#privateKey = privateKeyObject(decryptPrivateKey(file, dataKey), file.publicKey);
    this.#publicRaw = Buffer.from(file.publicKey, 'base64');
  }

  get closed(): boolean {
    return this.#closed;
  }

  get quotaBytes(): number {
    return this.#deps.quotaBytes;
  }

  publish(event: Omit<ChangeEvent, 'mailboxId'>): void {
    this.#deps.publish({ mailboxId: this.id, ...event });
  }

  rememberLogin(password: string): void {
    this.#logins.add(loginDigest(this.id, password));
  }

  forgetLogins(): void {
    this.#logins.clear();
  }

  knowsLogin(password: string): boolean {
    return this.#logins.has(loginDigest(this.id, password));
  }

  ownsKey(dataKey: Buffer): boolean {
    return this.#dataKey.equals(dataKey);
  }

  /** Ingests every spool record; concurrent calls share one run, and a call during a run schedules another. */
  drainSpool(): Promise<number> {
    if (this.#drain) {
      this.#drainAgain = true;
      return this.#drain;
    }
    this.#drain = this.#drainLoop().finally(() => {
      this.#drain = null;
    });
    return this.#drain;
  }

  async #drainLoop(): Promise<number> {
    let total = 0;
    do {
      this.#drainAgain = false;
      total += await this.#drainOnce();
    } while (this.#drainAgain && !this.#closed);
    return total;
  }

  async #drainOnce(): Promise<number> {
    let count = 0;
    for (const batch of await listBatches(this.paths.spoolDir)) {
      if (this.#closed) break;
      const records = await readBatch(batch);
      if (!records) continue;
      const ingested = await this.#ingestBatch(batch, records);
      if (ingested < 0) break;
      count += ingested;
      await removeBatch(batch);
    }
    return count;
  }

  /** Returns how many records were new, or -1 when the mailbox is over quota (the batch stays spooled). */
  async #ingestBatch(batch: string, records: Buffer[]): Promise<number> {
    let count = 0;
    const seen = prepValue(this.db, 'SELECT 1 FROM spool_ingested WHERE record_id = ?');
    for (const sealed of records) {
      const record = openRecord(this.#privateKey, this.#publicRaw, sealed);
      if (!record) {
        this.#deps.logger?.error({ mailboxId: this.id, batch }, 'spool record does not authenticate; skipped');
        continue;
      }
      if (this.#closed) return count;
      if (seen.get(record.meta.id)) continue;
      const folder = (record.meta.folder && findFolder(this.db, record.meta.folder)) || requireFolder(this.db, 'INBOX');
      const prepared = await prepareMessage(record.raw);
      if (this.#closed) return count;
      try {
        const result = commitMessage(this.db, prepared, {
          folderId: folder.id,
          flags: record.meta.flags,
          internalDate: new Date(record.meta.internalDate),
          recordId: record.meta.id,
          quotaBytes: this.#deps.quotaBytes,
        });
        if (!result) continue;
        count += 1;
        this.publish({ folder: folder.path, kind: 'exists', uid: result.uid, modseq: result.modseq });
      } catch (err) {
        if (!(err instanceof QuotaExceededError)) throw err;
        this.#deps.logger?.warn({ mailboxId: this.id }, 'mailbox over quota; delivered mail stays in the spool');
        return -1;
      }
    }
    return count;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await this.#drain?.catch(() => undefined);
    this.db.close();
    this.#dataKey.fill(0);
    this.#logins.clear();
  }
}

function loginDigest(id: string, password: string): string {
  return createHmac('sha256', LOGIN_CACHE_KEY).update(id).update('\0').update(password.normalize('NFC')).digest('hex');
}
