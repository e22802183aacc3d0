/**
 * Messages sent through the REST API (POST /v1/emails), per account: who sent what to whom and where its remote
 * part sits in the outbound queue. No message content is kept here; records go after 30 days (prune). The sending
 * limits are counted in the coordination's shared counters, with SMTP submission's, not here.
 */
import { newId } from './secrets.js';
import type { StatementFor } from './sqlite-queries.js';
import type { NewSentEmail, Page, SentEmail } from './types.js';

interface SentEmailRow {
  id: string;
  account_id: string;
  alias_id: string | null;
  sender: string;
  domain: string;
  message_id: string;
  subject: string;
  size: number;
  local_recipients: string;
  queue_id: string | null;
  created_at: number;
}

function toSentEmail(row: SentEmailRow): SentEmail {
  return {
    id: row.id,
    accountId: row.account_id,
    aliasId: row.alias_id,
    sender: row.sender,
    domain: row.domain,
    messageId: row.message_id,
    subject: row.subject,
    size: row.size,
    localRecipients: JSON.parse(row.local_recipients) as string[],
    queueId: row.queue_id,
    createdAt: new Date(row.created_at),
  };
}

export class SqliteSentEmailTable {
  readonly #sql: StatementFor;

  constructor(sql: StatementFor) {
    this.#sql = sql;
  }

  record(input: NewSentEmail): SentEmail {
    const id = newId();
    this.#sql(
      `INSERT INTO sent_emails (id, account_id, alias_id, sender, domain, message_id, subject, size,
           local_recipients, queue_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      input.accountId,
      input.aliasId,
      input.sender,
      input.domain,
      input.messageId,
      input.subject,
      input.size,
      JSON.stringify(input.localRecipients),
      input.queueId,
      (input.createdAt ?? new Date()).getTime(),
    );
    return this.get(input.accountId, id) as SentEmail;
  }

  get(accountId: string, id: string): SentEmail | null {
    const row = this.#sql('SELECT * FROM sent_emails WHERE id = ? AND account_id = ?').get(id, accountId) as
      | SentEmailRow
      | undefined;
    return row ? toSentEmail(row) : null;
  }

  list(accountId: string, page: number, limit: number, aliasId?: string): Page<SentEmail> {
    const scope = aliasId === undefined ? 'account_id = ?' : 'account_id = ? AND alias_id = ?';
    const args = aliasId === undefined ? [accountId] : [accountId, aliasId];
    const total = this.#sql(`SELECT count(*) FROM sent_emails WHERE ${scope}`)
      .pluck()
      .get(...args) as number;
    const rows = this.#sql(
      `SELECT * FROM sent_emails WHERE ${scope} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
    ).all(...args, limit, (page - 1) * limit) as SentEmailRow[];
    return { items: rows.map(toSentEmail), total, page, limit };
  }

  /** Deletes the records of messages sent before `before` (their queue items go at the same age). */
  prune(before: number): number {
    return this.#sql('DELETE FROM sent_emails WHERE created_at < ?').run(before).changes;
  }
}
