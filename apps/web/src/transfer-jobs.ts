/**
 * The dashboard's imports and restores, run in the background by @mailyard/transfer's TransferJobs (the tracker
 * the REST API's /v1/imports uses too): statuses are files in the data dir, so any instance shows any job, a job
 * started through the API shows on the alias's backup page and the other way round (both name the target mailbox),
 * and a restart leaves an interrupted job saying what it imported. This module only gives the views their shape
 * (dates as Date) and looks jobs up by the alias's mailbox.
 *
 * Uploads (plaintext mail while a job reads them) and the encrypted copies being downloaded are written under a
 * scratch directory of this process (scratchBases); creating the tracker removes those of processes that are gone.
 */
import { join } from 'node:path';
import type { Logger } from '@mailyard/logger';
import type { MailboxSession } from '@mailyard/mailstore';
import {
  type ImportSource,
  TransferJobs as JobTracker,
  type TransferJobKind,
  type TransferJobState,
  type TransferJobStatus,
} from '@mailyard/transfer';

/** The dashboard's scratch bases under the data dir: uploaded files, and encrypted copies being downloaded. */
export function scratchBases(dataDir: string): { uploads: string; copies: string } {
  return { uploads: join(dataDir, 'tmp', 'uploads'), copies: join(dataDir, 'tmp', 'backups') };
}

/** Jobs listed on an alias's backup page. */
const LISTED = 10;

export type JobKind = TransferJobKind;
export type JobState = TransferJobState;

/** A job as the views show it: the tracker's status with its times as Date and a name for a nameless upload. */
export type JobStatus = Omit<TransferJobStatus, 'fileName' | 'format' | 'startedAt' | 'finishedAt' | 'updatedAt'> & {
  fileName: string;
  startedAt: Date;
  finishedAt: Date | null;
};

export interface JobInput {
  kind: JobKind;
  mailboxId: string;
  fileName: string;
  /** The target mailbox, unlocked; the job closes it. */
  session: MailboxSession;
  /** The opened input; the job closes it. */
  source: ImportSource;
  /** The uploaded file; the job deletes it. */
  upload: string;
}

function shown({ format: _format, updatedAt: _updatedAt, ...s }: TransferJobStatus): JobStatus {
  return {
    ...s,
    fileName: s.fileName ?? 'the uploaded file',
    startedAt: new Date(s.startedAt),
    finishedAt: s.finishedAt ? new Date(s.finishedAt) : null,
  };
}

export class TransferJobs {
  readonly #jobs: JobTracker;

  constructor(dataDir: string, logger: Logger) {
    this.#jobs = new JobTracker({
      dataDir,
      onError: (err, job, what) => logger.warn({ err, job: job.id, kind: job.kind }, `dashboard ${what}`),
      scratch: Object.values(scratchBases(dataDir)),
      onCleanup: (report) => logger.info(report, 'dashboard uploads of stopped processes removed'),
    });
  }

  async start(input: JobInput): Promise<JobStatus> {
    return shown(await this.#jobs.start(input));
  }

  /** The job if it imports into `mailboxId` (the alias of the URL, which the account owns), else undefined. */
  async get(id: string, mailboxId: string): Promise<JobStatus | undefined> {
    const job = await this.#jobs.get(id, mailboxId);
    return job && shown(job);
  }

  /** The mailbox's latest jobs, newest first. */
  async forMailbox(mailboxId: string): Promise<JobStatus[]> {
    return (await this.#jobs.forMailbox(mailboxId, LISTED)).map(shown);
  }

  /** Stops running jobs after their current message (recorded as interrupted) and waits for them. */
  close(): Promise<void> {
    return this.#jobs.close();
  }
}
