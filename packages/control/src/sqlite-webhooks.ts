/**
 * Webhooks on control.db: each domain's signing secret and the durable queue of webhook POSTs. A secret is 32
 * random bytes (base64url), sealed with its own key derived from the master key (the domain id as associated
 * data), made on first use and replaced by rotate; a webhook body is sealed like an outbound message (the item id as
 * associated data). Claims take the write lock first and lease items, as the outbound queue does.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '@mailyard/errors';
import type Database from 'better-sqlite3-multiple-ciphers';
import { newId, type SecretBox } from './secrets.js';
import { type StatementFor, statementCache } from './sqlite-queries.js';
import type {
  EventWebhook,
  NewEventWebhook,
  NewWebhook,
  WebhookAttempt,
  WebhookItem,
  WebhookSummary,
} from './types.js';

interface WebhookRow {
  id: string;
  domain_id: string;
  url: string;
  body: Buffer | null;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: number | null;
  created_at: number;
}

function toSummary(row: WebhookRow): WebhookSummary {
  return {
    id: row.id,
    domainId: row.domain_id,
    url: row.url,
    state: row.state as WebhookSummary['state'],
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
  };
}

export class SqliteWebhookTable {
  readonly #db: Database.Database;
  readonly #sql: StatementFor;
  readonly #secrets: SecretBox;
  readonly #bodies: SecretBox;

  constructor(db: Database.Database, secrets: SecretBox, bodies: SecretBox) {
    this.#db = db;
    this.#sql = statementCache(db);
    this.#secrets = secrets;
    this.#bodies = bodies;
  }

  /** The domain's secret, made now when it has none (in one write transaction, so two processes agree). */
  secret(domainId: string): string {
    const read = this.#db.transaction((): string => {
      const row = this.#sql('SELECT webhook_secret FROM domains WHERE id = ?').get(domainId) as
        | { webhook_secret: Buffer | null }
        | undefined;
      if (!row) throw new NotFoundError(`domain ${domainId} not found`);
      if (row.webhook_secret) return this.#secrets.open(row.webhook_secret, domainId).toString();
      return this.#store(domainId);
    });
    return read.immediate();
  }

  rotate(domainId: string): string {
    return this.#db.transaction(() => this.#store(domainId)).immediate();
  }

  #store(domainId: string): string {
    const secret = randomBytes(32).toString('base64url');
    const result = this.#sql('UPDATE domains SET webhook_secret = ? WHERE id = ?').run(
      this.#secrets.seal(Buffer.from(secret), domainId),
      domainId,
    );
    if (result.changes === 0) throw new NotFoundError(`domain ${domainId} not found`);
    return secret;
  }

  enqueue(input: NewWebhook): WebhookSummary {
    const id = newId();
    const now = Date.now();
    this.#sql(
      `INSERT INTO webhook_queue (id, domain_id, url, body, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(id, input.domainId, input.url, this.#bodies.seal(input.body, id), now, now);
    return toSummary(this.#row(id));
  }

  claimDue(workerId: string, now: number, limit: number, leaseMs: number): WebhookItem[] {
    const claim = this.#db.transaction(() => {
      const ids = this.#sql(
        `SELECT id FROM webhook_queue WHERE state = 'queued' AND next_attempt_at <= ?
             AND (locked_until IS NULL OR locked_until <= ?)
           ORDER BY next_attempt_at, rowid LIMIT ?`,
      )
        .pluck()
        .all(now, now, limit) as string[];
      const lease = this.#sql('UPDATE webhook_queue SET locked_by = ?, locked_until = ? WHERE id = ?');
      for (const id of ids) lease.run(workerId, now + leaseMs, id);
      return ids;
    });
    return claim.immediate().map((id) => {
      const row = this.#row(id);
      return { ...toSummary(row), body: row.body ? this.#bodies.open(row.body, id) : Buffer.alloc(0) };
    });
  }

  record(id: string, workerId: string, attempt: WebhookAttempt): WebhookSummary {
    const write = this.#db.transaction(() => {
      const row = this.#row(id);
      if (row.locked_by !== workerId) throw new ConflictError(`webhook ${id} is not leased to worker ${workerId}`);
      const state = attempt.outcome === 'retry' ? 'queued' : attempt.outcome;
      this.#sql(
        `UPDATE webhook_queue SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
             locked_by = NULL, locked_until = NULL, body = CASE WHEN ? THEN NULL ELSE body END WHERE id = ?`,
      ).run(
        state,
        (attempt.nextAttemptAt ?? new Date()).getTime(),
        attempt.error ?? null,
        state === 'queued' ? 0 : 1,
        id,
      );
      return toSummary(this.#row(id));
    });
    return write.immediate();
  }

  get(id: string): WebhookSummary | null {
    const row = this.#sql('SELECT * FROM webhook_queue WHERE id = ?').get(id) as WebhookRow | undefined;
    return row ? toSummary(row) : null;
  }

  list(domainId: string, limit: number): WebhookSummary[] {
    const rows = this.#sql(
      'SELECT * FROM webhook_queue WHERE domain_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
    ).all(domainId, limit) as WebhookRow[];
    return rows.map(toSummary);
  }

  /** Deletes webhooks delivered or given up on that were queued before `before`; queued ones stay. */
  prune(before: number): number {
    return this.#sql(`DELETE FROM webhook_queue WHERE created_at < ? AND state != 'queued'`).run(before).changes;
  }

  #row(id: string): WebhookRow {
    const row = this.#sql('SELECT * FROM webhook_queue WHERE id = ?').get(id) as WebhookRow | undefined;
    if (!row) throw new NotFoundError(`webhook ${id} not found`);
    return row;
  }
}

interface EventWebhookRow {
  id: string;
  domain_id: string;
  url: string;
  events: string;
  created_at: number;
}

function toEventWebhook(row: EventWebhookRow): EventWebhook {
  return {
    id: row.id,
    domainId: row.domain_id,
    url: row.url,
    events: JSON.parse(row.events) as EventWebhook['events'],
    createdAt: new Date(row.created_at),
  };
}

/** A domain's event webhooks: URLs that get a POST for each mail log event they name. */
export class SqliteEventWebhookTable {
  readonly #sql: StatementFor;

  constructor(sql: StatementFor) {
    this.#sql = sql;
  }

  create(domainId: string, input: NewEventWebhook): EventWebhook {
    const id = newId();
    this.#sql('INSERT INTO event_webhooks (id, domain_id, url, events, created_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      domainId,
      input.url,
      JSON.stringify([...new Set(input.events)]),
      Date.now(),
    );
    return this.list(domainId).find((w) => w.id === id) as EventWebhook;
  }

  list(domainId: string): EventWebhook[] {
    const rows = this.#sql('SELECT * FROM event_webhooks WHERE domain_id = ? ORDER BY created_at, rowid').all(
      domainId,
    ) as EventWebhookRow[];
    return rows.map(toEventWebhook);
  }

  delete(domainId: string, id: string): boolean {
    return this.#sql('DELETE FROM event_webhooks WHERE id = ? AND domain_id = ?').run(id, domainId).changes === 1;
  }
}
