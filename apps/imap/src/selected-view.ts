/**
 * One session's view of its selected folder (RFC 9051 §2.3.1, §7.5; RFC 3501 §7.4.1). The client numbers
 * messages by what it has been told, so the view keeps exactly that: the UID list in sequence order, the \Recent
 * set it was given, the keywords it was sent in FLAGS, and the highest MODSEQ it was told per message. Changes
 * (this session's own, other sessions', other processes') are read from the mail store's change journal and
 * queued; `flush` tells them at the points a command allows:
 * - EXPUNGE (or VANISHED under QRESYNC, RFC 7162 §3.2.10) only where allowed: never after FETCH, STORE or
 *   SEARCH (RFC 3501 §7.4.1), so sequence numbers stay stable for the client;
 * - EXISTS (and RECENT for IMAP4rev1) for new messages, which this session then claims as \Recent when none
 *   has (RFC 3501 §2.3.2);
 * - `* FLAGS` again when a new keyword appears, then FETCH FLAGS (+UID under QRESYNC, +MODSEQ under CONDSTORE)
 *   for changed flags, never with a MODSEQ lower than one told before (the value is read back from the store);
 * - RFC 5267 update contexts (search-context.ts): REMOVEFROM before the EXPUNGEs, ADDTO after EXISTS.
 */
import type { MailboxSession, MessageSummary } from '@mailyard/mailstore';
import { packSet } from './protocol/encode.js';
import { SearchContexts } from './search-context.js';

export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

export interface ViewOptions {
  /** EXPUNGE may be sent now. */
  expunge: boolean;
  condstore: boolean;
  qresync: boolean;
  /** IMAP4rev2 enabled: no RECENT (RFC 9051 §7.4). */
  rev2: boolean;
  /** FETCH FLAGS for changed flags may be sent now (false: a NOTIFY push without FlagChange keeps them). */
  flags?: boolean;
}

export type Writer = (line: string) => Promise<void>;

export class SelectedView {
  /** The folder path; RENAME of the selected folder by this session moves it. */
  path: string;
  readonly readOnly: boolean;
  readonly mailbox: MailboxSession;
  readonly uidValidity: number;
  /** UIDs in sequence order, as the client knows them. */
  uids: number[];
  readonly recent = new Set<number>();
  /** Keywords the client was sent in `* FLAGS`. */
  readonly keywords = new Set<string>();
  /** Highest MODSEQ told per message (only messages whose MODSEQ was told). */
  readonly #toldModseq = new Map<number, number>();
  #seqIndex: Map<number, number> | null = null;
  /** The journal has been read up to here. */
  #journalModseq: number;
  readonly #pendingExpunge = new Set<number>();
  readonly #pendingFlags = new Set<number>();
  #pendingNew: number[] = [];
  /** Sequence number of the first message without \\Seen when the view was made (RFC 3501 SELECT [UNSEEN n]). */
  readonly firstUnseen: number | undefined;
  /** Grows whenever the view learns of a change or changes what the client holds (update contexts re-run then). */
  revision = 0;
  /** SEARCH/SORT RETURN (UPDATE) results kept up to date (RFC 5267 §4). */
  readonly contexts = new SearchContexts();

  constructor(mailbox: MailboxSession, path: string, readOnly: boolean) {
    const folder = mailbox.getFolder(path);
    if (!folder) throw new Error(`no folder ${path}`);
    this.mailbox = mailbox;
    this.path = folder.path;
    this.readOnly = readOnly;
    this.uidValidity = folder.uidValidity;
    this.#journalModseq = folder.highestModseq;
    // Kept by the store with its listing (worked out once per version of it), so a SELECT of an unchanged
    // folder copies the UIDs and walks no message: on 20,000 messages the walks and their garbage were most of
    // SELECT's time.
    const facts = mailbox.listingFacts(folder.path);
    this.uids = facts.uids.slice();
    for (const keyword of facts.keywords) this.keywords.add(keyword);
    this.firstUnseen = facts.firstUnseen === 0 ? undefined : facts.firstUnseen;
    for (const uid of this.#takeRecent()) this.recent.add(uid);
  }

  /**
   * RFC 3501 §2.3.2: the first session to see a new message gets \Recent; EXAMINE only looks (§6.3.2). When the
   * claim cannot be written (a full disk), the session sees the marks without taking them, so reading goes on.
   */
  #takeRecent(): number[] {
    const look = () => this.mailbox.search(this.path, { key: 'recent' });
    if (this.readOnly) return look();
    try {
      return this.mailbox.claimRecent(this.path);
    } catch {
      return look();
    }
  }

  get exists(): number {
    return this.uids.length;
  }

  /** uid -> sequence number in the client's view, or undefined. */
  seqOf(uid: number): number | undefined {
    if (this.uids.length < 32) {
      const index = this.uids.indexOf(uid);
      return index < 0 ? undefined : index + 1;
    }
    if (!this.#seqIndex) this.#seqIndex = new Map(this.uids.map((u, i) => [u, i + 1]));
    return this.#seqIndex.get(uid);
  }

  /** The summaries of the folder, by uid (binary search over the store's uid-ordered listing). */
  summaryOf(uid: number, listing = this.mailbox.listMessages(this.path)): MessageSummary | undefined {
    let lo = 0;
    let hi = listing.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = listing[mid] as MessageSummary;
      if (m.uid === uid) return m;
      if (m.uid < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Whether the client was told about this message and it is not pending expunge. */
  isLive(uid: number): boolean {
    return this.seqOf(uid) !== undefined && !this.#pendingExpunge.has(uid);
  }

  /** The client has now been told this message's flags at `modseq` (FETCH or STORE replies). */
  told(uid: number, modseq: number): void {
    if (modseq > (this.#toldModseq.get(uid) ?? 0)) this.#toldModseq.set(uid, modseq);
    if (this.#pendingFlags.size > 0) this.#pendingFlags.delete(uid);
  }

  /** The lowest MODSEQ this message may be reported with (never lower than one told before). */
  toldModseq(uid: number): number {
    return this.#toldModseq.get(uid) ?? 0;
  }

  /** Keywords among `flags` that the client has not been sent in `* FLAGS` yet. */
  newKeywords(flags: string[]): string[] {
    return flags.filter((f) => !f.startsWith('\\') && !this.keywords.has(f));
  }

  flagsLine(): string {
    return `FLAGS (${[...SYSTEM_FLAGS, ...this.keywords].join(' ')})`;
  }

  permanentFlagsLine(): string {
    if (this.readOnly) return 'OK [PERMANENTFLAGS ()] Read-only folder';
    return `OK [PERMANENTFLAGS (${[...SYSTEM_FLAGS, ...this.keywords, '\\*'].join(' ')})] Flags permitted`;
  }

  /** Sends `* FLAGS` and PERMANENTFLAGS again when `flags` carry keywords the client has not seen. */
  async announceKeywords(flags: string[], write: Writer): Promise<void> {
    const fresh = this.newKeywords(flags);
    if (fresh.length === 0) return;
    for (const keyword of fresh) this.keywords.add(keyword);
    await write(this.flagsLine());
    await write(this.permanentFlagsLine());
  }

  /** Reads the change journal since the last poll into the pending queues. */
  poll(): void {
    const changes = this.mailbox.changesSince(this.path, this.#journalModseq);
    if (changes.length === 0) return;
    this.revision++;
    const known = new Set(this.#pendingNew);
    for (const change of changes) {
      this.#journalModseq = Math.max(this.#journalModseq, change.modseq);
      if (change.kind === 'added' && !known.has(change.uid) && this.seqOf(change.uid) === undefined) {
        known.add(change.uid);
        this.#pendingNew.push(change.uid);
      } else if (change.kind === 'expunged') {
        this.#expunged(change.uid, known);
      } else if (change.kind === 'flags') {
        this.#pendingFlags.add(change.uid);
      }
    }
  }

  #expunged(uid: number, known: Set<number>): void {
    if (known.has(uid)) {
      known.delete(uid);
      this.#pendingNew = this.#pendingNew.filter((u) => u !== uid);
      return;
    }
    if (this.seqOf(uid) !== undefined) this.#pendingExpunge.add(uid);
  }

  /** Tells the client what changed, as far as `options` allow (see the module comment for the order). */
  async flush(write: Writer, options: ViewOptions): Promise<void> {
    this.poll();
    await this.contexts.removals(this, write);
    if (options.expunge && this.#pendingExpunge.size > 0) await this.#flushExpunges(write, options.qresync);
    if (this.#pendingNew.length > 0) await this.#flushNew(write, options.rev2);
    if (options.flags !== false && this.#pendingFlags.size > 0) await this.#flushFlags(write, options);
    await this.contexts.additions(this, write);
  }

  async #flushExpunges(write: Writer, qresync: boolean): Promise<void> {
    const gone = [...this.#pendingExpunge];
    this.#pendingExpunge.clear();
    const goneSet = new Set(gone);
    if (qresync) {
      this.#removeUids(goneSet);
      await write(`VANISHED ${packSet(gone.sort((a, b) => a - b))}`);
      return;
    }
    // RFC 3501 §7.4.1: each EXPUNGE renumbers the messages after it; highest first keeps the others' numbers.
    const seqs = gone.map((uid) => this.seqOf(uid) as number).sort((a, b) => b - a);
    this.#removeUids(goneSet);
    for (const seq of seqs) await write(`${seq} EXPUNGE`);
  }

  /** Removes UIDs from the view (after telling the client, or after our own EXPUNGE reply). */
  #removeUids(gone: Set<number>): void {
    this.revision++;
    this.uids = this.uids.filter((uid) => !gone.has(uid));
    for (const uid of gone) {
      this.recent.delete(uid);
      this.#toldModseq.delete(uid);
      this.#pendingFlags.delete(uid);
    }
    this.#seqIndex = null;
  }

  async #flushNew(write: Writer, rev2: boolean): Promise<void> {
    const fresh = this.#pendingNew.sort((a, b) => a - b);
    this.#pendingNew = [];
    const last = this.uids[this.uids.length - 1] ?? 0;
    for (const uid of fresh) if (uid > last) this.uids.push(uid);
    this.revision++;
    this.#seqIndex = null;
    for (const uid of this.#takeRecent()) if (this.seqOf(uid) !== undefined) this.recent.add(uid);
    const listing = this.mailbox.listMessages(this.path);
    for (const uid of fresh) {
      const summary = this.summaryOf(uid, listing);
      if (summary) await this.announceKeywords(summary.flags, write);
    }
    await write(`${this.uids.length} EXISTS`);
    if (!rev2) await write(`${this.recent.size} RECENT`);
  }

  async #flushFlags(write: Writer, options: ViewOptions): Promise<void> {
    const changed = [...this.#pendingFlags].filter((uid) => !this.#pendingExpunge.has(uid));
    this.#pendingFlags.clear();
    const listing = this.mailbox.listMessages(this.path);
    for (const uid of changed.sort((a, b) => a - b)) {
      const seq = this.seqOf(uid);
      const summary = this.summaryOf(uid, listing);
      if (!seq || !summary || summary.modseq <= this.toldModseq(uid)) continue;
      await this.announceKeywords(summary.flags, write);
      this.told(uid, summary.modseq);
      const items = [
        ...(options.qresync ? [`UID ${uid}`] : []),
        `FLAGS (${this.flagsOf(summary, options.rev2).join(' ')})`,
        ...(options.condstore ? [`MODSEQ (${summary.modseq})`] : []),
      ];
      await write(`${seq} FETCH (${items.join(' ')})`);
    }
  }

  /** A message's flags as this session reports them: its own \Recent added (IMAP4rev1). */
  flagsOf(summary: MessageSummary, rev2 = false): string[] {
    return !rev2 && this.recent.has(summary.uid) ? [...summary.flags, '\\Recent'] : summary.flags;
  }

  /** Expunged UIDs not yet told to the client (for sequence numbering of our own expunge replies). */
  get pendingExpunges(): ReadonlySet<number> {
    return this.#pendingExpunge;
  }
}
