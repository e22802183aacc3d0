/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5, RFC 3501 §6.4.5) with CHANGEDSINCE and VANISHED (RFC 7162 §3.1.4,
 * §3.2.6). Items that set \Seen (BODY[...] without .PEEK, RFC822, RFC822.TEXT) set it first, and a message
 * whose flags changed that way carries FLAGS in its reply. UID FETCH always returns UID. Replies go out in
 * writes of about 256 KiB with back-pressure. FETCH (not UID FETCH) is followed by no EXPUNGE (RFC 3501 §7.4.1).
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { MessageSummary, StoredMessage } from '@mailyard/mailstore';
import { FETCH_MACROS, type FetchItem, type FetchSource, parseFetchItem } from '../fetch-items.js';
import type { Command, CommandIo } from '../protocol/command.js';
import { IMAP_LIMITS } from '../protocol/limits.js';
import type { Token } from '../protocol/types.js';
import { resolveSetOrSaved } from '../saved-search.js';
import type { SelectedView } from '../selected-view.js';
import { parseSequenceSet, sequenceMatcher } from '../sequence-set.js';
import type { Session } from '../session.js';
import { atom, isAtom, list, number } from './args.js';
import { expungedSince, vanishedEarlier } from './qresync.js';

interface FetchRequest {
  set: string;
  items: FetchItem[];
  changedSince?: number;
  vanished: boolean;
}

function itemNames(token: Token | undefined): string[] {
  if (token?.type === 'atom') return FETCH_MACROS[token.value.toUpperCase()] ?? [token.value];
  const names: string[] = [];
  for (const t of list(token, 'FETCH items')) {
    // An item's own modifiers follow it as a list, e.g. RFC 8970 `PREVIEW (LAZY)`: joined into the item's name.
    if (t.type === 'list' && names.length > 0)
      names.push(`${names.pop()} (${t.items.map((m) => atom(m, 'FETCH modifier')).join(' ')})`);
    else names.push(atom(t, 'FETCH item'));
  }
  return names;
}

function fetchRequest(args: Token[], isUid: boolean): FetchRequest {
  if (args.length < 2 || args.length > 3) throw new InputSyntaxError('Invalid FETCH arguments');
  const names = itemNames(args[1]);
  if (names.length === 0) throw new InputSyntaxError('No FETCH items');
  const request: FetchRequest = { set: atom(args[0], 'sequence set'), items: [], vanished: false };
  if (args[2]) {
    const modifiers = list(args[2], 'FETCH modifiers');
    for (let i = 0; i < modifiers.length; i++) {
      if (isAtom(modifiers[i], 'CHANGEDSINCE')) request.changedSince = number(modifiers[++i], 'CHANGEDSINCE');
      else if (isAtom(modifiers[i], 'VANISHED')) request.vanished = true;
      else throw new InputSyntaxError('Unknown FETCH modifier');
    }
  }
  const upper = names.map((n) => n.toUpperCase());
  // RFC 9051 §6.4.8: UID FETCH replies carry UID; RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ.
  if (isUid && !upper.includes('UID')) names.unshift('UID');
  if (request.changedSince !== undefined && !upper.includes('MODSEQ')) names.push('MODSEQ');
  request.items = names.map(parseFetchItem);
  return request;
}

/** Sets \Seen where the items ask for it; returns the UIDs whose flags changed. */
function markSeen(view: SelectedView, uids: number[], items: FetchItem[]): Set<number> {
  if (view.readOnly || !items.some((i) => i.setsSeen) || uids.length === 0) return new Set();
  const result = view.mailbox.store(view.path, uids, { mode: 'add', flags: ['\\Seen'] });
  return new Set(result.updated.map((u) => u.uid));
}

/** The summaries of `uids` (ascending) from the uid-ordered listing, in one pass. */
function* summaries(listing: MessageSummary[], uids: number[]): Generator<MessageSummary> {
  let at = 0;
  for (const uid of uids) {
    while (at < listing.length && (listing[at] as MessageSummary).uid < uid) at++;
    const summary = listing[at];
    if (summary?.uid === uid) yield summary;
  }
}

function fetchCommand(name: string, isUid: boolean): Command<Session> {
  return {
    name,
    states: ['selected'],
    forbidsExpunge: !isUid,
    async run({ args, session, io }) {
      const request = fetchRequest(args, isUid);
      const view = session.requireView();
      if (request.vanished && (!isUid || request.changedSince === undefined || !session.qresync)) {
        throw new InputSyntaxError('VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC');
      }
      const uids = resolveSetOrSaved(request.set, view, isUid).filter((uid) => view.isLive(uid));
      if (request.changedSince !== undefined || request.items.some((i) => i.name === 'MODSEQ'))
        session.condstore = true;
      if (request.vanished && request.changedSince !== undefined) {
        const inSet = sequenceMatcher(parseSequenceSet(request.set), Number.MAX_SAFE_INTEGER);
        await vanishedEarlier(io, expungedSince(view, request.changedSince, inSet));
      }
      const seen = markSeen(view, uids, request.items);
      await writeReplies(session, view, uids, request, seen, io);
      return undefined;
    },
  };
}

async function writeReplies(
  session: Session,
  view: SelectedView,
  uids: number[],
  request: FetchRequest,
  seen: Set<number>,
  io: CommandIo,
): Promise<void> {
  const listing = view.mailbox.listMessages(view.path);
  const needsStored = request.items.some((i) => i.needsStored);
  const reportsFlags = request.items.some((i) => i.name === 'FLAGS' || i.name === 'MODSEQ');
  const batch = new ReplyBatch(io);
  if (seen.size === 0 && request.items.every((i) => i.metadata)) {
    await writeMetadataReplies(session, view, summaries(listing, uids), request, reportsFlags, batch, io);
    return;
  }
  for (const summary of summaries(listing, uids)) {
    if (request.changedSince !== undefined && summary.modseq <= request.changedSince) continue;
    const seq = view.seqOf(summary.uid);
    if (!seq) continue;
    if (view.newKeywords(summary.flags).length > 0) {
      await batch.flush();
      await view.announceKeywords(summary.flags, (line) => io.untagged(line));
    }
    const line = messageLine(session, view, seq, summary, request.items, seen.has(summary.uid), needsStored);
    if (reportsFlags || seen.has(summary.uid)) view.told(summary.uid, summary.modseq);
    await batch.add(line);
  }
  await batch.flush();
}

/**
 * writeReplies for items that all come from the listing (UID, FLAGS, MODSEQ, RFC822.SIZE, INTERNALDATE) and no
 * \\Seen set by this command: FETCH 1:* (UID FLAGS), what a client sends to resynchronise a folder, on every
 * message. One reused source object and one string per message, keywords looked at once per distinct flag list
 * (the listing shares them), and no await unless a batch is full: about a third of the time per message of the
 * general path.
 */
async function writeMetadataReplies(
  session: Session,
  view: SelectedView,
  listed: Iterable<MessageSummary>,
  request: FetchRequest,
  reportsFlags: boolean,
  batch: ReplyBatch,
  io: CommandIo,
): Promise<void> {
  const items = request.items;
  const prefixes = items.map((item, i) => `${i > 0 ? ' ' : ''}${item.name} `);
  const source: FetchSource = {
    mailbox: view.mailbox,
    path: view.path,
    summary: undefined as unknown as MessageSummary,
    flags: [],
    stored: () => null,
  };
  let checkedFlags: readonly string[] | undefined;
  for (const summary of listed) {
    if (request.changedSince !== undefined && summary.modseq <= request.changedSince) continue;
    const seq = view.seqOf(summary.uid);
    if (!seq) continue;
    if (summary.flags !== checkedFlags) {
      checkedFlags = summary.flags;
      if (view.newKeywords(summary.flags).length > 0) {
        await batch.flush();
        await view.announceKeywords(summary.flags, (line) => io.untagged(line));
      }
    }
    source.summary = summary;
    source.flags = view.flagsOf(summary, session.rev2);
    let line = `${seq} FETCH (`;
    for (let i = 0; i < items.length; i++) line += (prefixes[i] as string) + (items[i] as FetchItem).value(source);
    if (reportsFlags) view.told(summary.uid, summary.modseq);
    if (batch.addText(`${line})`)) await batch.flush();
  }
  await batch.flush();
}

/**
 * Untagged lines collected into writes of about BATCH_BYTES: text lines are joined into one string (one
 * Buffer per write, not three per line), lines with literal bytes go as buffers.
 */
class ReplyBatch {
  readonly #io: CommandIo;
  #text = '';
  #parts: Array<string | Buffer> = [];
  #bytes = 0;

  constructor(io: CommandIo) {
    this.#io = io;
  }

  async add(line: string | Buffer): Promise<void> {
    if (typeof line === 'string') {
      this.#text += `* ${line}\r\n`;
      this.#bytes += line.length + 4;
    } else {
      this.#takeText();
      this.#parts.push(Buffer.from('* '), line, Buffer.from('\r\n'));
      this.#bytes += line.length + 4;
    }
    if (this.#bytes >= IMAP_LIMITS.fetchBatchBytes) await this.flush();
  }

  /** A text line; true when the batch is full and should be flushed before the next. */
  addText(line: string): boolean {
    this.#text += `* ${line}\r\n`;
    this.#bytes += line.length + 4;
    return this.#bytes >= IMAP_LIMITS.fetchBatchBytes;
  }

  #takeText(): void {
    if (!this.#text) return;
    this.#parts.push(this.#text);
    this.#text = '';
  }

  async flush(): Promise<void> {
    this.#takeText();
    if (this.#parts.length === 0) return;
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    await this.#io.raw(parts);
  }
}

function messageLine(
  session: Session,
  view: SelectedView,
  seq: number,
  summary: MessageSummary,
  items: FetchItem[],
  seenChanged: boolean,
  needsStored: boolean,
): string | Buffer {
  let stored: StoredMessage | null | undefined;
  const source: FetchSource = {
    mailbox: view.mailbox,
    path: view.path,
    summary,
    flags: view.flagsOf(summary, session.rev2),
    stored: () => {
      if (stored === undefined) stored = needsStored ? view.mailbox.getMessage(view.path, summary.uid) : null;
      return stored;
    },
  };
  const wanted = [...items];
  // RFC 3501 §6.4.5: a message whose \Seen was just set reports its new FLAGS (and MODSEQ under CONDSTORE).
  if (seenChanged && !wanted.some((i) => i.name === 'FLAGS')) wanted.push(parseFetchItem('FLAGS'));
  if (seenChanged && session.condstore && !wanted.some((i) => i.name === 'MODSEQ'))
    wanted.push(parseFetchItem('MODSEQ'));
  const parts: Array<string | Buffer> = [`${seq} FETCH (`];
  let text = true;
  wanted.forEach((item, i) => {
    const value = item.value(source);
    const prefix = `${i > 0 ? ' ' : ''}${item.name} `;
    if (typeof value === 'string') {
      parts.push(prefix + value);
      return;
    }
    text = false;
    parts.push(prefix, ...value);
  });
  parts.push(')');
  if (text) return parts.join('');
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
}

export const fetch = fetchCommand('FETCH', false);
export const uidFetch = fetchCommand('UID FETCH', true);
