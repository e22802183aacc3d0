/** Query plumbing shared by the SQLite backend's tables: statement cache, constraint errors, paged lists. */
import Database from 'better-sqlite3-multiple-ciphers';
import type { ListQuery, Page, SortKey } from './types.js';

export type StatementFor = (text: string) => Database.Statement;

/** Prepared statements, compiled once per SQL text: preparing costs more than running most of these queries. */
export function statementCache(db: Database.Database): StatementFor {
  const cache = new Map<string, Database.Statement>();
  return (text) => {
    let statement = cache.get(text);
    if (!statement) {
      statement = db.prepare(text);
      cache.set(text, statement);
    }
    return statement;
  };
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT_UNIQUE');
}

/** Ties on created_at fall back to insertion order (rowid), so "newest first" is stable. */
const SORT_SQL: Record<SortKey, string> = {
  name: 'name ASC, id ASC',
  '-name': 'name DESC, id DESC',
  created_at: 'created_at ASC, rowid ASC',
  '-created_at': 'created_at DESC, rowid DESC',
};

function likePattern(filter: string): string {
  return `%${filter.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of `table` rows whose `scope` column equals `scopeId`, with the total count for paging headers.
 * `unfilteredTotal` (when the caller keeps a count) saves the count(*) for lists without a name filter.
 */
export function pageOf<Row>(
  sql: StatementFor,
  table: 'domains' | 'aliases',
  /** member_account_id: the domains the account is a member of (domain_members), in any role. */
  scope: 'account_id' | 'domain_id' | 'member_account_id',
  scopeId: string,
  query: ListQuery,
  unfilteredTotal?: () => number,
): Page<Row> {
  const nameFilter = query.name ? " AND name LIKE ? ESCAPE '\\'" : '';
  // Labels exist on aliases only (a JSON list each).
  const labelFilter =
    query.label && table === 'aliases' ? ' AND EXISTS (SELECT 1 FROM json_each(labels) WHERE value = ?)' : '';
  const filter = nameFilter + labelFilter;
  const params: unknown[] = [
    scopeId,
    ...(nameFilter ? [likePattern(query.name ?? '')] : []),
    ...(labelFilter ? [query.label?.trim().toLowerCase()] : []),
  ];
  const scoped =
    scope === 'member_account_id'
      ? 'id IN (SELECT domain_id FROM domain_members WHERE account_id = ?)'
      : `${scope} = ?`;
  const where = `FROM ${table} WHERE ${scoped}${filter}`;
  const total =
    !filter && unfilteredTotal
      ? unfilteredTotal()
      : (sql(`SELECT count(*) ${where}`)
          .pluck()
          .get(...params) as number);
  const order = SORT_SQL[query.sort ?? 'name'];
  const offset = (query.page - 1) * query.limit;
  const items = sql(`SELECT * ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
    ...params,
    query.limit,
    offset,
  ) as Row[];
  return { items, total, page: query.page, limit: query.limit };
}
