/**
 * Folder listings (SELECT, FETCH 1:* FLAGS) for large folders. Building 100,000 summaries costs more than
 * reading the rows, so each handle keeps the last listing of a few folders and brings it up to date from the
 * folder's highest modseq: every change to a folder (append, flags, expunge, copy, move, in any process) takes
 * a new modseq (RFC 7162), so an unchanged (uidValidity, highestModseq) means an unchanged listing, and
 * otherwise only the rows with a newer modseq and the journal's expunges since then need reading.
 * Cached summaries are frozen and shared: callers get a fresh array of read-only objects (ListedMessage).
 * What a SELECT needs of a listing (its UIDs, the keywords in use, the first unseen message: ListingFacts) is
 * worked out once per listing version and kept beside it, so a SELECT of an unchanged folder walks no message.
 */
import { formatFlags } from './flags.js';
import type { FolderRef } from './folders.js';
import { type Db, prep } from './schema.js';
import type { ListingFacts, MessageSummary } from './types.js';

const MAX_CACHED_FOLDERS = 4;
/** Past this many journal entries a full reload is cheaper than patching. */
const MAX_PATCH_CHANGES = 20_000;

interface Cached {
  uidValidity: number;
  modseq: number;
  list: MessageSummary[];
  /** Made on first use (factsOf), for this version of the listing. */
  facts?: ListingFacts;
}

/**
 * Reads the listing columns as JSON arrays built inside SQLite: one native call instead of one per row, about
 * twice as fast as iterating 100,000 rows through the driver. Keywords are rare, so only rows that have any
 * send them, as [uid, keywords] pairs.
 */
function readColumns(db: Db, where: string, params: unknown[]): MessageSummary[] {
  const row = prep(
    db,
    `SELECT json_group_array(uid), json_group_array(modseq), json_group_array(flags), json_group_array(size),
            json_group_array(internal_date), json_group_array(json_array(uid, keywords)) FILTER (WHERE keywords != '')
       FROM (SELECT uid, modseq, flags, keywords, size, internal_date FROM messages WHERE ${where} ORDER BY uid)`,
  )
    .raw(true)
    .get(...params) as string[];
  const [uids, modseqs, bits, sizes, dates, keywords] = row.map((c) => JSON.parse(c)) as [
    number[],
    number[],
    number[],
    number[],
    number[],
    Array<[number, string]>,
  ];
  const keywordsByUid = new Map(keywords);
  const flagsOf = new FlagLists();
  const out: MessageSummary[] = new Array(uids.length);
  for (let i = 0; i < uids.length; i++) {
    const uid = uids[i] as number;
    const flags = flagsOf.get(bits[i] as number, (keywordsByUid.size > 0 && keywordsByUid.get(uid)) || '');
    out[i] = new ListedMessage(uid, modseqs[i] as number, flags, sizes[i] as number, dates, i);
  }
  return ascending(out) ? out : out.sort((a, b) => a.uid - b.uid);
}

/**
 * A read-only listing row. The internal date stays in the listing's shared array of times (a double field per
 * row would be one more heap object each) and a Date is made on access: a listing of 100,000 rows then
 * allocates half as many objects (about 15% off a first SELECT of that size). toJSON keeps the date.
 */
class ListedMessage implements MessageSummary {
  readonly uid: number;
  readonly modseq: number;
  readonly flags: string[];
  readonly size: number;
  readonly #times: readonly number[];
  readonly #row: number;

  constructor(uid: number, modseq: number, flags: string[], size: number, times: readonly number[], row: number) {
    this.uid = uid;
    this.modseq = modseq;
    this.flags = flags;
    this.size = size;
    this.#times = times;
    this.#row = row;
    Object.freeze(this);
  }

  get internalDate(): Date {
    return new Date(this.#times[this.#row] as number);
  }

  toJSON(): MessageSummary {
    return { uid: this.uid, modseq: this.modseq, flags: this.flags, size: this.size, internalDate: this.internalDate };
  }
}

/** One frozen flag list per distinct (system flags, keywords), shared by every summary that has it. */
class FlagLists {
  readonly #bySystemFlags: Array<string[] | undefined> = [];
  readonly #withKeywords = new Map<string, string[]>();

  get(bits: number, keywords: string): string[] {
    if (keywords !== '') return this.#withKeywordsList(bits, keywords);
    let flags = this.#bySystemFlags[bits];
    if (!flags) {
      flags = freezeFlags(bits, '');
      this.#bySystemFlags[bits] = flags;
    }
    return flags;
  }

  #withKeywordsList(bits: number, keywords: string): string[] {
    const key = `${bits}|${keywords}`;
    let flags = this.#withKeywords.get(key);
    if (!flags) {
      flags = freezeFlags(bits, keywords);
      this.#withKeywords.set(key, flags);
    }
    return flags;
  }
}

function freezeFlags(bits: number, keywords: string): string[] {
  return Object.freeze(formatFlags(bits, keywords)) as string[];
}

/** SQLite feeds an aggregate in the ordered subquery's order; checked rather than assumed. */
function ascending(list: MessageSummary[]): boolean {
  for (let i = 1; i < list.length; i++)
    if ((list[i] as MessageSummary).uid < (list[i - 1] as MessageSummary).uid) return false;
  return true;
}

function loadAll(db: Db, folder: FolderRef): MessageSummary[] {
  return readColumns(db, 'folder_id = ?', [folder.id]);
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
  const changed = readColumns(db, 'folder_id = ? AND modseq > ?', [folder.id, cached.modseq]);
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

/**
 * The UIDs, keywords in use (in order of first appearance) and first unseen message of a listing. Summaries with
 * the same flags share one frozen list (FlagLists, merge keeps them), so each distinct list is looked at once.
 */
function factsOf(list: MessageSummary[]): ListingFacts {
  const uids: number[] = new Array(list.length);
  const keywords = new Set<string>();
  const looked = new Set<readonly string[]>();
  let firstUnseen = 0;
  let last: readonly string[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const message = list[i] as MessageSummary;
    uids[i] = message.uid;
    const flags = message.flags;
    if (flags === last) continue;
    last = flags;
    if (firstUnseen === 0 && !flags.includes('\\Seen')) firstUnseen = i + 1;
    if (looked.has(flags)) continue;
    looked.add(flags);
    for (const flag of flags) if (!flag.startsWith('\\')) keywords.add(flag);
  }
  return { uids, keywords: [...keywords], firstUnseen };
}

export class ListingCache {
  readonly #folders = new Map<number, Cached>();

  list(db: Db, folder: FolderRef): MessageSummary[] {
    return this.#current(db, folder).list.slice();
  }

  /** ListingFacts of the folder's listing as it is now; shared: the caller copies before changing. */
  facts(db: Db, folder: FolderRef): ListingFacts {
    const cached = this.#current(db, folder);
    cached.facts ??= factsOf(cached.list);
    return cached.facts;
  }

  /** The cache entry of the folder, brought up to date (and made the most recently used). */
  #current(db: Db, folder: FolderRef): Cached {
    const cached = this.#folders.get(folder.id);
    let list: MessageSummary[] | null = null;
    if (cached && cached.uidValidity === folder.uidValidity) {
      if (cached.modseq === folder.highestModseq) return this.#remember(folder.id, cached);
      list = patch(db, folder, cached);
    }
    list ??= loadAll(db, folder);
    return this.#remember(folder.id, { uidValidity: folder.uidValidity, modseq: folder.highestModseq, list });
  }

  #remember(folderId: number, entry: Cached): Cached {
    this.#folders.delete(folderId);
    this.#folders.set(folderId, entry);
    for (const id of this.#folders.keys()) {
      if (this.#folders.size <= MAX_CACHED_FOLDERS) break;
      this.#folders.delete(id);
    }
    return entry;
  }

  clear(): void {
    this.#folders.clear();
  }
}
