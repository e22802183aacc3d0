/**
 * Each domain's mail log on control.db: one row per recipient and event (inbound delivered or rejected, outbound
 * delivered, deferred or bounced) with the SMTP answer, never the message. Kept MAIL_EVENT_RETENTION_MS; the jobs
 * process prunes older rows.
 */
import type { StatementFor } from './sqlite-queries.js';
import type { MailEvent, MailEventQuery, NewMailEvent, Page } from './types.js';

/** How long the mail log keeps an event: 30 days, long enough to answer "did my mail arrive last month?". */
export const MAIL_EVENT_RETENTION_MS = 30 * 86_400_000;

interface MailEventRow {
  id: number;
  domain_id: string;
  direction: string;
  event: string;
  sender: string;
  recipient: string;
  response: string | null;
  message_id: string | null;
  at: number;
}

function toEvent(row: MailEventRow): MailEvent {
  return {
    id: row.id,
    domainId: row.domain_id,
    direction: row.direction as MailEvent['direction'],
    event: row.event as MailEvent['event'],
    sender: row.sender,
    recipient: row.recipient,
    response: row.response,
    messageId: row.message_id,
    at: new Date(row.at),
  };
}

export class SqliteMailEventTable {
  readonly #sql: StatementFor;

  constructor(sql: StatementFor) {
    this.#sql = sql;
  }

  record(events: NewMailEvent[]): void {
    const insert = this.#sql(
      `INSERT INTO mail_events (domain_id, direction, event, sender, recipient, response, message_id, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = Date.now();
    for (const e of events) {
      insert.run(
        e.domainId,
        e.direction,
        e.event,
        e.sender,
        e.recipient,
        e.response ?? null,
        e.messageId ?? null,
        (e.at ?? new Date(now)).getTime(),
      );
    }
  }

  list(query: MailEventQuery): Page<MailEvent> {
    if (query.domainIds.length === 0) return { items: [], total: 0, page: query.page, limit: query.limit };
    const where = [`domain_id IN (${query.domainIds.map(() => '?').join(', ')})`, 'at >= ?', 'at < ?'];
    const args: unknown[] = [...query.domainIds, query.since.getTime(), query.until.getTime()];
    if (query.event) {
      where.push('event = ?');
      args.push(query.event);
    }
    const clause = where.join(' AND ');
    const total = this.#sql(`SELECT count(*) FROM mail_events WHERE ${clause}`)
      .pluck()
      .get(...args) as number;
    const rows = this.#sql(`SELECT * FROM mail_events WHERE ${clause} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`).all(
      ...args,
      query.limit,
      (query.page - 1) * query.limit,
    ) as MailEventRow[];
    return { items: rows.map(toEvent), total, page: query.page, limit: query.limit };
  }

  prune(before: Date): number {
    return this.#sql('DELETE FROM mail_events WHERE at < ?').run(before.getTime()).changes;
  }
}
