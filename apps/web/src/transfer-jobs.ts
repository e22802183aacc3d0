/**
 * Imports and restores started on the backup page, run in the background of this web process so the upload's
 * request ends at once and the page shows progress. A job holds the unlocked session of its target mailbox (never
 * the password) and its opened input until it ends, then closes both and deletes the uploaded file. Messages go
 * through @mailyard/transfer's importMessages, the store's one ingest path (duplicates skipped, quota counted,
 * IMAP sessions told).
 *
 * Statuses live in this process's memory for STATUS_KEEP_MS after the end: a restart forgets them (imported mail
 * stays; the same file uploaded again skips what is already there). close() stops the running jobs between two
 * messages (a graceful shutdown does not wait for a large import) and waits for them to let go of their mailboxes.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Logger } from '@mailyard/logger';
import type { MailboxSession } from '@mailyard/mailstore';
import { type ImportSource, importMessages, type ReadItem, type SkippedMessage } from '@mailyard/transfer';

/** How long a finished job's status is kept. */
export const STATUS_KEEP_MS = 60 * 60_000;
/** Statuses kept at most (the oldest finished ones are dropped first). */
const STATUS_ENTRIES = 500;
/** Jobs listed on an alias's backup page. */
const LISTED = 10;

export type JobKind = 'import' | 'restore';
export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobStatus {
  id: string;
  kind: JobKind;
  accountId: string;
  aliasId: string;
  /** The uploaded file's name as the browser gave it. */
  fileName: string;
  state: JobState;
  /** Messages read from the file so far (imported, duplicates and skipped). */
  read: number;
  imported: number;
  importedBytes: number;
  duplicates: number;
  skipped: SkippedMessage[];
  foldersCreated: string[];
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface JobInput {
  kind: JobKind;
  accountId: string;
  aliasId: string;
  fileName: string;
  /** The target mailbox, unlocked; the job closes it. */
  session: MailboxSession;
  /** The opened input; the job closes it. */
  source: ImportSource;
  /** The uploaded file; the job deletes it. */
  upload: string;
}

const STOPPED = 'The server stopped during the import. Upload the file again: what was imported is skipped.';

/** The items until `stopped()` says to stop (checked between messages). */
async function* untilStopped(items: AsyncIterable<ReadItem>, stopped: () => boolean): AsyncGenerator<ReadItem> {
  for await (const item of items) {
    if (stopped()) return;
    yield item;
  }
}

export class TransferJobs {
  readonly #jobs = new Map<string, { status: JobStatus; done: Promise<void> }>();
  readonly #logger: Logger;
  #stopping = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  start(input: JobInput): JobStatus {
    this.#forget(Date.now());
    const status: JobStatus = {
      id: randomBytes(12).toString('hex'),
      kind: input.kind,
      accountId: input.accountId,
      aliasId: input.aliasId,
      fileName: input.fileName,
      state: 'queued',
      read: 0,
      imported: 0,
      importedBytes: 0,
      duplicates: 0,
      skipped: [],
      foldersCreated: [],
      error: null,
      startedAt: new Date(),
      finishedAt: null,
    };
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#run(status, input));
    this.#jobs.set(status.id, { status, done });
    return status;
  }

  async #run(status: JobStatus, input: JobInput): Promise<void> {
    let stopped = false;
    try {
      status.state = 'running';
      const items = untilStopped(input.source.items, () => {
        stopped = this.#stopping;
        return stopped;
      });
      const summary = await importMessages(input.session, items, {
        onProgress: (p) => {
          status.read = p.messages;
        },
      });
      status.imported = summary.imported;
      status.importedBytes = summary.importedBytes;
      status.duplicates = summary.duplicates;
      status.skipped = summary.skipped;
      status.foldersCreated = summary.foldersCreated;
      status.state = stopped ? 'failed' : 'done';
      if (stopped) status.error = STOPPED;
    } catch (err) {
      status.state = 'failed';
      status.error = `The file could not be read to the end: ${(err as Error).message}`;
      this.#logger.warn({ err, job: status.id, kind: status.kind }, 'dashboard import failed');
    } finally {
      input.session.close();
      await input.source.close().catch((err) => this.#logger.warn({ err, job: status.id }, 'import input not closed'));
      await rm(input.upload, { force: true });
      status.finishedAt = new Date();
    }
  }

  /** The account's job, or undefined (another account's job is as unknown as a missing one). */
  get(id: string, accountId: string): JobStatus | undefined {
    const job = this.#jobs.get(id)?.status;
    return job && job.accountId === accountId ? job : undefined;
  }

  /** The alias's latest jobs, newest first. */
  forAlias(accountId: string, aliasId: string): JobStatus[] {
    return [...this.#jobs.values()]
      .map((j) => j.status)
      .filter((s) => s.accountId === accountId && s.aliasId === aliasId)
      .reverse()
      .slice(0, LISTED);
  }

  #forget(now: number): void {
    for (const [id, job] of this.#jobs) {
      const end = job.status.finishedAt?.getTime();
      if (end !== undefined && now - end > STATUS_KEEP_MS) this.#jobs.delete(id);
    }
    for (const [id, job] of this.#jobs) {
      if (this.#jobs.size < STATUS_ENTRIES) break;
      if (job.status.finishedAt) this.#jobs.delete(id);
    }
  }

  /** Stops running jobs after their current message and waits until every job has closed its mailbox. */
  async close(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#jobs.values()].map((j) => j.done));
  }
}
