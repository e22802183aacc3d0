/**
 * Outbound queue and delivery log on control.db. Bodies are sealed with the server key (AES-256-GCM, the queue
 * id as associated data). Claims take the write lock first (BEGIN IMMEDIATE), so workers in several processes
 * never lease the same item twice; a lease expires after `leaseMs` so a crashed worker's items come back.
 */
import { ConflictError, NotFoundError } from '@mailyard/errors';
import type Database from 'better-sqlite3-multiple-ciphers';
import { newId, type SecretBox } from './secrets.js';
import { type StatementFor, statementCache } from './sqlite-queries.js';
import { type QueueRow, toQueueSummary } from './sqlite-rows.js';
import type {
  AttemptResult,
  CancelOutcome,
  DeliveryLogEntry,
  NewQueueItem,
  QueueItem,
  QueueItemSummary,
  QueueRecipient,
  QueueState,
} from './types.js';

export const DEFAULT_LEASE_MS = 5 * 60_000;

const FINAL: ReadonlySet<string> = new Set(['delivered', 'failed']);

const CANCELLED = 'cancelled by the sender before delivery';

export class SqliteOutboundQueue {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;
  readonly #box: SecretBox;

  constructor(db: Database.Database, box: SecretBox) {
    this.#db = db;
    this.#sql = statementCache(db);
    this.#box = box;
  }

  enqueue(input: NewQueueItem): QueueItemSummary {
    const id = newId();
    const now = Date.now();
    const recipients: QueueRecipient[] = input.recipients.map((address) => ({
      address,
      status: 'pending',
      lastError: null,
    }));
    this.#sql(
      `INSERT INTO queue (id, envelope_from, recipients, next_attempt_at, body, created_at, dsn)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      input.envelopeFrom,
      JSON.stringify(recipients),
      input.nextAttemptAt?.getTime() ?? now,
      this.#box.seal(input.body, id),
      now,
      input.dsn ? JSON.stringify(input.dsn) : null,
    );
    return toQueueSummary(this.#row(id));
  }

  claimDue(workerId: string, now: Date, limit: number, leaseMs: number): QueueItem[] {
    const claim = this.#db.transaction(() => {
      const ids = this.#sql(
        `SELECT id FROM queue WHERE state = 'queued' AND next_attempt_at <= ?
             AND (locked_until IS NULL OR locked_until <= ?)
           ORDER BY next_attempt_at, rowid LIMIT ?`,
      )
        .pluck()
        .all(now.getTime(), now.getTime(), limit) as string[];
      const lease = this.#sql('UPDATE queue SET locked_by = ?, locked_until = ? WHERE id = ?');
      for (const id of ids) lease.run(workerId, now.getTime() + leaseMs, id);
      return ids;
    });
    return claim.immediate().map((id) => this.#item(this.#row(id)));
  }

  recordAttempt(queueId: string, workerId: string, result: AttemptResult): QueueItemSummary {
    const record = this.#db.transaction(() => {
      const row = this.#leased(queueId, workerId);
      const recipients = applyResults(JSON.parse(row.recipients) as QueueRecipient[], result);
      const done = recipients.every((r) => FINAL.has(r.status));
      const state: QueueState = !done
        ? 'queued'
        : recipients.some((r) => r.status === 'delivered')
          ? 'delivered'
          : 'failed';
      this.#sql(
        `UPDATE queue SET recipients = ?, state = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
             locked_by = NULL, locked_until = NULL, body = CASE WHEN ? THEN NULL ELSE body END WHERE id = ?`,
      ).run(
        JSON.stringify(recipients),
        state,
        result.nextAttemptAt.getTime(),
        result.error ?? row.last_error,
        done ? 1 : 0,
        queueId,
      );
      this.#log(queueId, result.recipients);
      return this.#row(queueId);
    });
    return toQueueSummary(record.immediate());
  }

  complete(queueId: string, workerId: string, state: Exclude<QueueState, 'queued'>): void {
    this.#db
      .transaction(() => {
        const row = this.#leased(queueId, workerId);
        const recipients = (JSON.parse(row.recipients) as QueueRecipient[]).map((r) =>
          FINAL.has(r.status) ? r : { ...r, status: state },
        );
        this.#sql(
          `UPDATE queue SET state = ?, recipients = ?, body = NULL, locked_by = NULL, locked_until = NULL
             WHERE id = ?`,
        ).run(state, JSON.stringify(recipients), queueId);
      })
      .immediate();
  }

  summary(id: string): QueueItemSummary | null {
    const row = this.#sql('SELECT * FROM queue WHERE id = ?').get(id) as QueueRow | undefined;
    return row ? toQueueSummary(row) : null;
  }

  cancel(id: string, now: number): CancelOutcome {
    const cancel = this.#db.transaction((): CancelOutcome => {
      const row = this.#sql('SELECT * FROM queue WHERE id = ?').get(id) as QueueRow | undefined;
      if (!row) return 'unknown';
      if (row.state !== 'queued') return 'final';
      if (row.locked_until !== null && row.locked_until > now) return 'busy';
      const recipients = (JSON.parse(row.recipients) as QueueRecipient[]).map((r) =>
        FINAL.has(r.status) ? r : { ...r, status: 'failed' as const, lastError: CANCELLED },
      );
      this.#sql(
        `UPDATE queue SET state = 'cancelled', recipients = ?, body = NULL, last_error = ?, locked_by = NULL,
             locked_until = NULL WHERE id = ?`,
      ).run(JSON.stringify(recipients), CANCELLED, id);
      return 'cancelled';
    });
    return cancel.immediate();
  }

  listRecent(limit: number): QueueItemSummary[] {
    const rows = this.#sql('SELECT * FROM queue ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit) as QueueRow[];
    return rows.map(toQueueSummary);
  }

  stats(): { messages: number; bytes: number } {
    return this.#sql(
      `SELECT count(*) AS messages, coalesce(sum(length(body)), 0) AS bytes FROM queue WHERE state = 'queued'`,
    ).get() as { messages: number; bytes: number };
  }

  deliveryLog(queueId: string): DeliveryLogEntry[] {
    const rows = this.#sql(
      'SELECT queue_id, recipient, status, message, at FROM delivery_log WHERE queue_id = ? ORDER BY id',
    ).all(queueId) as Array<{
      queue_id: string;
      recipient: string;
      status: string;
      message: string | null;
      at: number;
    }>;
    return rows.map((r) => ({
      queueId: r.queue_id,
      recipient: r.recipient,
      status: r.status as DeliveryLogEntry['status'],
      message: r.message,
      at: new Date(r.at),
    }));
  }

  /**
   * Deletes items that reached a final state (delivered, failed, cancelled) and were queued before `before`, and
   * their delivery log. An item is final at most smtp.outboundMaxAgeMs (5 days) after it was queued, so nothing
   * still waiting goes, and the log of a message goes with the message it describes.
   */
  prune(before: number): { queue: number; deliveryLog: number } {
    const prune = this.#db.transaction(() => {
      const deliveryLog = this.#sql(
        `DELETE FROM delivery_log WHERE queue_id IN (SELECT id FROM queue WHERE created_at < ? AND state != 'queued')`,
      ).run(before).changes;
      const queue = this.#sql(`DELETE FROM queue WHERE created_at < ? AND state != 'queued'`).run(before).changes;
      return { queue, deliveryLog };
    });
    return prune.immediate();
  }

  #row(id: string): QueueRow {
    const row = this.#sql('SELECT * FROM queue WHERE id = ?').get(id) as QueueRow | undefined;
    if (!row) throw new NotFoundError(`queue item ${id} not found`);
    return row;
  }

  #leased(id: string, workerId: string): QueueRow {
    const row = this.#row(id);
    if (row.locked_by !== workerId) throw new ConflictError(`queue item ${id} is not leased to worker ${workerId}`);
    return row;
  }

  #item(row: QueueRow): QueueItem {
    const body = row.body ? this.#box.open(row.body, row.id) : Buffer.alloc(0);
    return { ...toQueueSummary(row), body };
  }

  #log(queueId: string, entries: AttemptResult['recipients']): void {
    const insert = this.#sql(
      'INSERT INTO delivery_log (queue_id, recipient, status, message, at) VALUES (?, ?, ?, ?, ?)',
    );
    const at = Date.now();
    for (const entry of entries) insert.run(queueId, entry.address, entry.status, entry.error ?? null, at);
  }
}

function applyResults(recipients: QueueRecipient[], result: AttemptResult): QueueRecipient[] {
  const byAddress = new Map(result.recipients.map((r) => [r.address, r]));
  return recipients.map((r) => {
    const outcome = byAddress.get(r.address);
    if (!outcome) return r;
    return { address: r.address, status: outcome.status, lastError: outcome.error ?? null };
  });
}
