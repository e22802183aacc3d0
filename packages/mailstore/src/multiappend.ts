/**
 * MULTIAPPEND (RFC 3502 §6.3.11): several messages appended by one command are stored all or none. Each message
 * is indexed first (outside the transaction), then one IMMEDIATE transaction commits them in order, so their UIDs
 * are consecutive and a failure (quota, a folder deleted meanwhile) leaves the folder as it was. CATENATE
 * (RFC 4469) builds each message's bytes in the protocol layer and stores them through the same path.
 */
import { commitMessage, type IngestTarget, type PreparedMessage, prepareMessage } from './ingest.js';
import type { Db } from './schema.js';
import type { AppendOptions, AppendResult, QuotaLimit } from './types.js';

export interface AppendItem {
  raw: Buffer;
  opts?: AppendOptions;
}

export async function prepareAll(items: readonly AppendItem[]): Promise<PreparedMessage[]> {
  const prepared: PreparedMessage[] = [];
  for (const item of items) prepared.push(await prepareMessage(item.raw));
  return prepared;
}

/** Commits prepared messages into one folder in a single transaction; nested commits become savepoints. */
export function commitAll(
  db: Db,
  folderId: number,
  items: readonly AppendItem[],
  prepared: readonly PreparedMessage[],
  quotaBytes: number | QuotaLimit,
  training: Pick<IngestTarget, 'trainAs'> = {},
): AppendResult[] {
  const run = db.transaction((): AppendResult[] =>
    prepared.map((message, i) => {
      const opts = items[i]?.opts ?? {};
      const target = { folderId, flags: opts.flags, internalDate: opts.internalDate, quotaBytes, ...training };
      return commitMessage(db, message, target) as AppendResult;
    }),
  );
  return run.immediate();
}
