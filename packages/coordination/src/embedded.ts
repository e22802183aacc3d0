/**
 * The embedded implementation: one machine, no Redis, which is what `npm start` runs.
 *
 * - Events: the mail store's FileChangeNotifier (notify/<ab>/<id>.events under the data directory, fs.watch plus a
 *   stat poll), so every process on the machine hears them, as before this package existed.
 * - Queue wake-ups: the same notifier under a reserved id that no mailbox can have (mailbox ids are hex), so a
 *   submission process wakes the outbound process on the same machine.
 * - Counters: in this process's memory (limits' MemoryRateLimitStore and MemoryLoginFailureStore): each process
 *   counts for itself. The shared counters (sharedRateLimits) are the exception: a SQLite file,
 *   <dataDir>/coordination/counters.db, that every process on the machine counts in (file-counters.ts).
 * - Locks: leases in that same file (FileLocks, file-locks.ts, on a handle of its own), so a lock is held once
 *   across every process on the machine (the POP3 maildrop lock across the imap instances), with fencing tokens
 *   that increase across those processes and their restarts.
 */

import { join } from 'node:path';
import {
  type LoginFailureStore,
  MemoryLoginFailureStore,
  MemoryRateLimitStore,
  type RateLimitResult,
  type RateLimitStore,
} from '@mailyard/limits';
import { type ChangeNotifier, FileChangeNotifier } from '@mailyard/mailstore';
import { consumeFrom } from './consume.js';
import { FileRateLimitStore } from './file-counters.js';
import { FileLocks } from './file-locks.js';
import type { Coordination, QueueSignal } from './types.js';

export interface EmbeddedCoordinationOptions {
  /** The data directory whose notify/ holds the event files (MAILYARD_DATA_DIR). */
  dataDir: string;
  /** Poll interval of the file notifier's fallback (ms); default 250, the mail store's default. */
  notifyPollMs?: number;
}

/** Reserved notifier id of the outbound queue's wake-ups: a valid file name, never a (hex) mailbox id. */
export const QUEUE_SIGNAL_ID = '_outbound-queue';

/** Queue wake-ups carried by a ChangeNotifier under QUEUE_SIGNAL_ID. */
export function queueSignalOver(notifier: ChangeNotifier): QueueSignal {
  return {
    notify: () => notifier.publish({ mailboxId: QUEUE_SIGNAL_ID, folder: '', kind: 'spool' }),
    subscribe: (callback) => notifier.subscribe(QUEUE_SIGNAL_ID, () => callback()),
  };
}

export class EmbeddedCoordination implements Coordination {
  readonly backend = 'embedded' as const;
  readonly events: FileChangeNotifier;
  readonly rateLimits: RateLimitStore = new MemoryRateLimitStore();
  readonly sharedRateLimits: FileRateLimitStore;
  readonly loginFailures: LoginFailureStore = new MemoryLoginFailureStore();
  readonly locks: FileLocks;
  readonly queue: QueueSignal;

  constructor(options: EmbeddedCoordinationOptions) {
    this.events = new FileChangeNotifier(options.dataDir, { pollMs: options.notifyPollMs });
    this.queue = queueSignalOver(this.events);
    const countersFile = join(options.dataDir, 'coordination', 'counters.db');
    this.sharedRateLimits = new FileRateLimitStore(countersFile);
    this.locks = new FileLocks(countersFile);
  }

  consume(key: string, points: number, windowMs: number, cost = 1): Promise<RateLimitResult> {
    return consumeFrom(this.rateLimits, key, points, windowMs, cost);
  }

  async close(): Promise<void> {
    this.events.close();
    this.sharedRateLimits.close();
    this.locks.close();
  }
}
