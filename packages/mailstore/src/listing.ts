/**
 * Folder listings (SELECT, FETCH 1:* FLAGS) for large folders. Building 100,000 summaries costs more than
 * reading the rows, so each handle keeps the last listing of a few folders and brings it up to date from the
 * folder's highest modseq: every change to a folder (append, flags, expunge, copy, move, in any process) takes
 * a new modseq (RFC 7162), so an unchanged (uidValidity, highestModseq) means an unchanged listing, and
 * otherwise only the rows with a newer modseq and the journal's expunges since then need reading.
 * Cached summaries are frozen and shared: callers get a fresh array of read-only objects.
 */
import { formatFlags } from './flags.js';
import type { FolderRef } from './folders.js';
import { type Db, prep } from './schema.js';
import type { MessageSummary } from './types.js';

const MAX_CACHED_FOLDERS = 4;
/** Past this many journal entries a full reload is cheaper than patching. */
const MAX_PATCH_CHANGES = 20_000;

type Row = [number, number, number, string, number, number];

interface Cached {
  uidValidity: number;
  modseq: number;
  list: MessageSummary[];
}

function summarize(rows: Iterable<Row>): MessageSummary[] {
  const flagLists = new Map<string, string[]>();
  const out: MessageSummary[] = [];
  for (const [uid, modseq, bits, keywords, size, internalDate] of rows) {
    const key = `${bits}|${keywords}`;
    let flags = flagLists.get(key);
    if (!flags) {
      flags = Object.freeze(formatFlags(bits, keywords)) as string[];
      flagLists.set(key, flags);
    }
    out.push(Object.freeze({ uid, modseq, flags, size, internalDate: new Date(internalDate) }));
  }
  return out;
}

function loadAll(db: Db, folder: FolderRef): MessageSummary[] {
  const stmt = prep(
    db,
    'SELECT uid, modseq, flags, keywords, size, internal_date FROM messages WHERE folder_id = ? ORDER BY uid',
  ).raw(true);
  return summarize(stmt.iterate(folder.id) as Iterable<Row>);
}

function patch(db: Db, folder: FolderRef, cached: Cached): MessageSummary[] | null {
  const expunged = prep(
    db,
    `SELECT count(*) AS n, sum(kind = 'expunged') AS gone FROM changes WHERE folder_id = ? AND modseq > ?`,
  ).get(folder.id, cached.modseq) as { n: number; gone: number | null };
  if (expunged.n > MAX_PATCH_CHANGES) return null;
  const removed = new Set<number>();
  if (expunged.gone) {
    const rows = prep(db, `SELECT uid FROM changes WHERE folder_id = ? AND modseq > ? AND kind = 'expunged'`)
      .raw(true)
      .all(folder.id, cached.modseq) as Array<[number]>;
    for (const [uid] of rows) removed.add(uid);
  }
  const changed = summarize(
    prep(
      db,
      `SELECT uid, modseq, flags, keywords, size, internal_date FROM messages
        WHERE folder_id = ? AND modseq > ? ORDER BY uid`,
    )
      .raw(true)
      .iterate(folder.id, cached.modseq) as Iterable<Row>,
  );
  return merge(cached.list, changed, removed);
}

/** Both lists ascend by uid; changed rows replace same-uid rows, removed uids drop out. */
function merge(old: MessageSummary[], changed: MessageSummary[], removed: Set<number>): MessageSummary[] {
  const out: MessageSummary[] = [];
  let j = 0;
  for (const m of old) {
    while (j < changed.length && (changed[j] as MessageSummary).uid < m.uid) out.push(changed[j++] as MessageSummary);
    if (j < changed.length && (changed[j] as MessageSummary).uid === m.uid) {
      out.push(changed[j++] as MessageSummary);
      continue;
    }
    if (!removed.has(m.uid)) out.push(m);
  }
  while (j < changed.length) out.push(changed[j++] as MessageSummary);
  return out;
}

export class ListingCache {
  readonly #folders = new Map<number, Cached>();

  list(db: Db, folder: FolderRef): MessageSummary[] {
    const cached = this.#folders.get(folder.id);
    let list: MessageSummary[] | null = null;
    if (cached && cached.uidValidity === folder.uidValidity) {
      list = cached.modseq === folder.highestModseq ? cached.list : patch(db, folder, cached);
    }
    list ??= loadAll(db, folder);
    this.#remember(folder, list);
    return list.slice();
  }

  #remember(folder: FolderRef, list: MessageSummary[]): void {
    this.#folders.delete(folder.id);
    this.#folders.set(folder.id, { uidValidity: folder.uidValidity, modseq: folder.highestModseq, list });
    for (const id of this.#folders.keys()) {
      if (this.#folders.size <= MAX_CACHED_FOLDERS) break;
      this.#folders.delete(id);
    }
  }

  clear(): void {
    this.#folders.clear();
  }
}
