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
  if (seen.size === 0 && request.items.every((i) => i.metadata)) {
    await writeMetadataReplies(session, view, summaries(listing, uids), request, reportsFlags, io);
    return;
  }
  const batch = new ReplyBatch(io);
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
 * message. The lines are written as bytes straight into the batch's buffer (FetchLineBuffer): numbers as digits,
 * each distinct flag list (the listing shares them) encoded once, other items' text written in place, sequence
 * numbers read by walking the view's UID list beside the requested UIDs. So a message costs no string and no
 * object: on 20,000 messages the garbage (and the scavenges and promotions of a 256 KiB string being joined)
 * was a quarter of the command's time.
 */
async function writeMetadataReplies(
  session: Session,
  view: SelectedView,
  listed: Iterable<MessageSummary>,
  request: FetchRequest,
  reportsFlags: boolean,
  io: CommandIo,
): Promise<void> {
  const items = request.items;
  const prefixes = items.map((item, i) => Buffer.from(`${i > 0 ? ' ' : ''}${item.name} `, 'latin1'));
  const source: FetchSource = {
    mailbox: view.mailbox,
    path: view.path,
    summary: undefined as unknown as MessageSummary,
    flags: [],
    stored: () => null,
  };
  const out = new FetchLineBuffer(io);
  const flagBytes = new Map<readonly string[], Buffer>();
  const viewUids = view.uids;
  let seqAt = 0;
  let checkedFlags: readonly string[] | undefined;
  for (const summary of listed) {
    if (request.changedSince !== undefined && summary.modseq <= request.changedSince) continue;
    // Sequence numbers ascend with UIDs, and the requested UIDs ascend: one forward walk finds every one.
    while (seqAt < viewUids.length && (viewUids[seqAt] as number) < summary.uid) seqAt++;
    if (viewUids[seqAt] !== summary.uid) continue;
    const seq = seqAt + 1;
    if (summary.flags !== checkedFlags) {
      checkedFlags = summary.flags;
      if (view.newKeywords(summary.flags).length > 0) {
        await out.flush();
        await view.announceKeywords(summary.flags, (line) => io.untagged(line));
      }
    }
    out.untaggedFetch(seq);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as FetchItem;
      out.bytes(prefixes[i] as Buffer);
      if (item.name === 'UID') out.number(summary.uid);
      else if (item.name === 'FLAGS') {
        const flags = view.flagsOf(summary, session.rev2);
        let bytes = flagBytes.get(flags);
        if (!bytes) {
          bytes = Buffer.from(`(${flags.join(' ')})`, 'latin1');
          // \Recent lists are made per message; only the listing's shared lists are worth keeping.
          if (flags === summary.flags) flagBytes.set(flags, bytes);
        }
        out.bytes(bytes);
      } else {
        source.summary = summary;
        source.flags = view.flagsOf(summary, session.rev2);
        out.text(item.value(source) as string);
      }
    }
    if (reportsFlags) view.told(summary.uid, summary.modseq);
    if (out.endLine()) await out.flush();
  }
  await out.flush();
}

/**
 * Untagged FETCH lines written as bytes into buffers of IMAP_LIMITS.fetchBatchBytes, each handed to the
 * connection whole once full (a fresh buffer follows: the socket may still hold the last one).
 */
class FetchLineBuffer {
  static readonly #PREFIX = Buffer.from('* ', 'latin1');
  static readonly #FETCH = Buffer.from(' FETCH (', 'latin1');
  static readonly #END = Buffer.from(')\r\n', 'latin1');
  /** Room kept for one line beyond the batch size, so a line never needs a check per byte. */
  static readonly #SLACK = 64 * 1024;
  readonly #io: CommandIo;
  #buffer = Buffer.allocUnsafe(IMAP_LIMITS.fetchBatchBytes + FetchLineBuffer.#SLACK);
  #at = 0;

  constructor(io: CommandIo) {
    this.#io = io;
  }

  untaggedFetch(seq: number): void {
    this.bytes(FetchLineBuffer.#PREFIX);
    this.number(seq);
    this.bytes(FetchLineBuffer.#FETCH);
  }

  bytes(bytes: Buffer): void {
    this.#room(bytes.length);
    this.#at += bytes.copy(this.#buffer, this.#at);
  }

  text(text: string): void {
    this.#room(text.length);
    this.#at += this.#buffer.write(text, this.#at, 'latin1');
  }

  /** A non-negative integer in decimal digits. */
  number(value: number): void {
    if (value < 10) {
      this.#room(1);
      this.#buffer[this.#at++] = 48 + value;
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.#room(digits);
    let rest = value;
    for (let i = this.#at + digits - 1; i >= this.#at; i--) {
      this.#buffer[i] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.#at += digits;
  }

  /** Ends the line; true when the buffer is full and should be flushed before the next. */
  endLine(): boolean {
    this.bytes(FetchLineBuffer.#END);
    return this.#at >= IMAP_LIMITS.fetchBatchBytes;
  }

  /** Grows the buffer for a line longer than the slack (many keywords), keeping what is written. */
  #room(length: number): void {
    if (this.#at + length <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#at + length));
    this.#buffer.copy(grown, 0, 0, this.#at);
    this.#buffer = grown;
  }

  async flush(): Promise<void> {
    if (this.#at === 0) return;
    const full = this.#buffer.subarray(0, this.#at);
    this.#buffer = Buffer.allocUnsafe(IMAP_LIMITS.fetchBatchBytes + FetchLineBuffer.#SLACK);
    this.#at = 0;
    await this.#io.raw([full]);
  }
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
