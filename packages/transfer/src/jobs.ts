/**
 * Background imports and restores, one tracker for the REST API's POST /v1/imports and the dashboard's import and
 * restore forms (both served by the api process). A job holds the unlocked session of its target mailbox (never
 * the password) and its opened input until it ends, then closes both and deletes the uploaded file. Messages go
 * through importMessages, the store's one ingest path (duplicates skipped, quota counted, IMAP sessions told).
 *
 * Each job's status is a JSON file under `<dataDir>/transfer-jobs/`, written (whole, then renamed) when the job
 * changes state, at most every PROGRESS_WRITE_MS while it reads, and every HEARTBEAT_MS while it runs. Any
 * instance of the api process over the same data dir answers for any job, and a restart forgets nothing:
 * - a graceful stop (close()) stops running jobs between two messages and records them as `interrupted`;
 * - a job whose process died stops beating: a queued or running status not written for STALE_MS is reported as
 *   `interrupted` too.
 * Either way the status says what was imported before the stop, and that uploading the same file again finishes
 * it (what is already in the mailbox is skipped as a duplicate). Statuses are kept STATUS_KEEP_MS after their
 * last write, STATUS_ENTRIES at most (the oldest go first), pruned when a job starts.
 *
 * Uploads hold plaintext mail. A job deletes its upload when it ends; the uploads of a process that died are in
 * its scratch directory (scratch.ts) under the `scratch` bases, removed when a tracker is created (a process
 * starts), when a job starts, and when a status is found interrupted because its writer stopped beating.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailboxSession } from '@mailyard/mailstore';
import { removeGoneScratch, type ScratchReport } from './scratch.js';
import type { ImportSource, SourceKind } from './source.js';
import { importMessages, type SkippedMessage } from './transfer.js';
import type { ReadItem } from './types.js';

/** How long a status is kept after its last write. */
export const STATUS_KEEP_MS = 24 * 60 * 60_000;
/** Statuses kept at most (the oldest are dropped first). */
export const STATUS_ENTRIES = 1000;
/** A running job rewrites its status at least this often, so other instances see it alive. */
export const HEARTBEAT_MS = 5_000;
/** A queued or running status not written for this long belongs to a process that stopped: interrupted. */
export const STALE_MS = 6 * HEARTBEAT_MS;
/** Progress is written at most this often while a job reads. */
const PROGRESS_WRITE_MS = 1_000;
/** The directory under the data dir that holds the statuses. */
export const JOBS_DIR = 'transfer-jobs';

export type TransferJobKind = 'import' | 'restore';
export type TransferJobState = 'queued' | 'running' | 'done' | 'failed' | 'interrupted';

export interface TransferJobStatus {
  /** `I` and 24 hex digits. */
  id: string;
  kind: TransferJobKind;
  /** The target mailbox: whoever may open it may see the job (the API by its credentials, the dashboard by alias). */
  mailboxId: string;
  /** The uploaded file's name as the client gave it, or null. */
  fileName: string | null;
  format: SourceKind | null;
  state: TransferJobState;
  /** Messages read from the file so far (imported, duplicates and skipped). */
  read: number;
  imported: number;
  importedBytes: number;
  duplicates: number;
  skipped: SkippedMessage[];
  foldersCreated: string[];
  error: string | null;
  /** ISO 8601 times. */
  startedAt: string;
  finishedAt: string | null;
  /** The last write; a heartbeat while the job runs. */
  updatedAt: string;
}

export interface TransferJobInput {
  kind: TransferJobKind;
  mailboxId: string;
  fileName: string | null;
  /** The target mailbox, unlocked; the job closes it. */
  session: MailboxSession;
  /** The opened input; the job closes it. */
  source: ImportSource;
  /** The uploaded file; the job deletes it. */
  upload: string;
}

/** What a stop leaves in the status: what was imported, and how to finish. */
function interruptedText(s: TransferJobStatus): string {
  return (
    `The server stopped during the ${s.kind} after ${s.read} messages read: ${s.imported} imported, ` +
    `${s.duplicates} duplicates skipped before the stop. Upload the same file again to finish: messages already ` +
    'in the mailbox are skipped as duplicates.'
  );
}

const ID = /^I[0-9a-f]{24}$/;

/** The items until `stopped()` says to stop (checked between messages). */
async function* untilStopped(items: AsyncIterable<ReadItem>, stopped: () => boolean): AsyncGenerator<ReadItem> {
  for await (const item of items) {
    if (stopped()) return;
    yield item;
  }
}

interface Running {
  /** Replaced by the final status once the job is over. */
  status: TransferJobStatus;
  done: Promise<void>;
  /** Writes of this job's file, one after the other. */
  writing: Promise<void>;
}

export interface TransferJobsOptions {
  dataDir: string;
  /** Told of a job that failed or whose input did not close. */
  onError?: (err: unknown, job: TransferJobStatus, what: string) => void;
  /** Heartbeat and staleness, for tests (default HEARTBEAT_MS, STALE_MS). */
  heartbeatMs?: number;
  staleMs?: number;
  /** Messages per transaction (importMessages' batchSize). */
  batchSize?: number;
  /** Directories holding per-process scratch directories of uploads (scratch.ts): those of gone processes are
   * removed when the tracker is created, when a job starts and when a stale status is read. */
  scratch?: readonly string[];
  /** Told what such a removal deleted (only when it deleted something). */
  onCleanup?: (report: ScratchReport) => void;
}

export class TransferJobs {
  readonly #dir: string;
  readonly #running = new Map<string, Running>();
  readonly #onError: TransferJobsOptions['onError'];
  readonly #heartbeatMs: number;
  readonly #staleMs: number;
  readonly #batchSize: number | undefined;
  readonly #scratch: readonly string[];
  readonly #onCleanup: TransferJobsOptions['onCleanup'];
  /** The removal of gone processes' scratch directories under way, if any. */
  #sweeping: Promise<void> | null = null;
  #stopping = false;

  constructor(opts: TransferJobsOptions) {
    this.#dir = join(opts.dataDir, JOBS_DIR);
    this.#onError = opts.onError;
    this.#heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
    this.#staleMs = opts.staleMs ?? STALE_MS;
    this.#batchSize = opts.batchSize;
    this.#scratch = opts.scratch ?? [];
    this.#onCleanup = opts.onCleanup;
    this.#sweep();
  }

  /** Removes the scratch directories of gone processes, unless a removal is already under way. */
  #sweep(): Promise<void> {
    if (this.#scratch.length === 0) return Promise.resolve();
    // removeGoneScratch does not reject: what it cannot read or remove it leaves for cleanup-tmp.
    this.#sweeping ??= removeGoneScratch(this.#scratch)
      .then((report) => {
        if (report.directories > 0) this.#onCleanup?.(report);
      })
      .finally(() => {
        this.#sweeping = null;
      });
    return this.#sweeping;
  }

  /** Records the job (queued) and starts it on the next turn of the event loop. */
  async start(input: TransferJobInput): Promise<TransferJobStatus> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await this.#prune(Date.now());
    await this.#sweep();
    const now = new Date().toISOString();
    const status: TransferJobStatus = {
      id: `I${randomBytes(12).toString('hex')}`,
      kind: input.kind,
      mailboxId: input.mailboxId,
      fileName: input.fileName,
      format: input.source.kind,
      state: 'queued',
      read: 0,
      imported: 0,
      importedBytes: 0,
      duplicates: 0,
      skipped: [],
      foldersCreated: [],
      error: null,
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
    };
    const job: Running = { status, done: Promise.resolve(), writing: Promise.resolve() };
    try {
      await this.#write(job);
    } catch (err) {
      input.session.close();
      await input.source.close().catch(() => undefined);
      await rm(input.upload, { force: true });
      throw err;
    }
    this.#running.set(status.id, job);
    job.done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#run(job, input))
      .finally(() => this.#running.delete(status.id));
    return { ...status };
  }

  /** Writes `status` (by default the job's, as it is now) to the job's file, after the writes before it. */
  #write(job: Running, status: TransferJobStatus = job.status): Promise<void> {
    status.updatedAt = new Date().toISOString();
    const text = JSON.stringify(status);
    const path = join(this.#dir, `${status.id}.json`);
    const next = job.writing.then(async () => {
      const partial = `${path}.${randomBytes(4).toString('hex')}.partial`;
      try {
        await writeFile(partial, text, { mode: 0o600 });
        await rename(partial, path);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
    });
    job.writing = next.catch(() => undefined);
    return next;
  }

  /** A write whose failure is reported, not thrown (progress and heartbeats). */
  #save(job: Running): void {
    this.#write(job).catch((err) => this.#onError?.(err, job.status, 'status not written'));
  }

  async #run(job: Running, input: TransferJobInput): Promise<void> {
    const { status } = job;
    let stopped = false;
    let lastWrite = 0;
    const beat = setInterval(() => this.#save(job), this.#heartbeatMs);
    beat.unref();
    // The end as it will be recorded: shown (in memory) only once the input is closed, the upload deleted and the
    // status written, so whoever sees a job finished sees it over.
    const end: Partial<TransferJobStatus> = {};
    try {
      status.state = 'running';
      this.#save(job);
      const items = untilStopped(input.source.items, () => {
        stopped = this.#stopping;
        return stopped;
      });
      const summary = await importMessages(input.session, items, {
        ...(this.#batchSize ? { batchSize: this.#batchSize } : {}),
        onProgress: (p) => {
          status.read = p.messages;
          status.imported = p.imported ?? status.imported;
          status.duplicates = p.duplicates ?? status.duplicates;
          const now = Date.now();
          if (now - lastWrite >= PROGRESS_WRITE_MS) {
            lastWrite = now;
            this.#save(job);
          }
        },
      });
      Object.assign(end, {
        imported: summary.imported,
        importedBytes: summary.importedBytes,
        duplicates: summary.duplicates,
        skipped: summary.skipped,
        foldersCreated: summary.foldersCreated,
        state: stopped ? 'interrupted' : 'done',
      });
      if (stopped) end.error = interruptedText({ ...status, ...end });
    } catch (err) {
      end.state = 'failed';
      end.error = `The file could not be read to the end: ${(err as Error).message}`;
      this.#onError?.(err, status, 'import failed');
    } finally {
      clearInterval(beat);
      input.session.close();
      await input.source.close().catch((err) => this.#onError?.(err, status, 'import input not closed'));
      await rm(input.upload, { force: true });
      const final: TransferJobStatus = { ...status, ...end, finishedAt: new Date().toISOString() };
      await this.#write(job, final).catch((err) => this.#onError?.(err, final, 'status not written'));
      job.status = final;
    }
  }

  /** A status as read from its file; a queued or running one whose writer stopped beating is interrupted. */
  #reported(status: TransferJobStatus, now: number): TransferJobStatus {
    if (status.state !== 'queued' && status.state !== 'running') return status;
    if (this.#running.has(status.id)) return status;
    const updated = Date.parse(status.updatedAt);
    if (now - updated < this.#staleMs) return status;
    // Its process is likely gone: its upload goes with its scratch directory (never a live process's).
    void this.#sweep();
    return { ...status, state: 'interrupted', error: interruptedText(status), finishedAt: status.updatedAt };
  }

  async #read(id: string): Promise<TransferJobStatus | undefined> {
    const running = this.#running.get(id);
    if (running) return { ...running.status };
    try {
      return JSON.parse(await readFile(join(this.#dir, `${id}.json`), 'utf8')) as TransferJobStatus;
    } catch {
      return undefined; // missing, pruned, or a file being replaced at this instant on a system without atomic rename
    }
  }

  /** The job if it imports into `mailboxId`, else undefined (another mailbox's job is as unknown as a missing one). */
  async get(id: string, mailboxId: string): Promise<TransferJobStatus | undefined> {
    if (!ID.test(id)) return undefined;
    const status = await this.#read(id);
    return status && status.mailboxId === mailboxId ? this.#reported(status, Date.now()) : undefined;
  }

  async #all(): Promise<TransferJobStatus[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return [];
    }
    const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
    const found = await Promise.all(ids.filter((id) => ID.test(id)).map((id) => this.#read(id)));
    return found.filter((s): s is TransferJobStatus => s !== undefined);
  }

  /** The mailbox's latest jobs, newest first. */
  async forMailbox(mailboxId: string, limit = 10): Promise<TransferJobStatus[]> {
    const now = Date.now();
    return (await this.#all())
      .filter((s) => s.mailboxId === mailboxId)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, limit)
      .map((s) => this.#reported(s, now));
  }

  /** Deletes statuses older than STATUS_KEEP_MS, then the oldest beyond STATUS_ENTRIES (never a running one). */
  async #prune(now: number): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return;
    }
    const files: { path: string; id: string; mtime: number }[] = [];
    for (const name of names) {
      const path = join(this.#dir, name);
      const info = await stat(path).catch(() => null);
      if (!info) continue;
      const id = name.split('.')[0] ?? '';
      // A .partial left by a crash mid-write is dropped once it is older than a heartbeat's worth of staleness.
      if (name.endsWith('.partial')) {
        if (now - info.mtimeMs > this.#staleMs) await rm(path, { force: true });
        continue;
      }
      if (this.#running.has(id)) continue;
      if (now - info.mtimeMs > STATUS_KEEP_MS) await rm(path, { force: true });
      else files.push({ path, id, mtime: info.mtimeMs });
    }
    files.sort((a, b) => a.mtime - b.mtime);
    for (const file of files.slice(0, Math.max(0, files.length + this.#running.size + 1 - STATUS_ENTRIES))) {
      await rm(file.path, { force: true });
    }
  }

  /** Stops running jobs after their current message, records them as interrupted, and waits for them. */
  async close(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#running.values()].map((j) => j.done));
    await this.#sweeping;
  }
}
