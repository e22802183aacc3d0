/**
 * FETCH / UID FETCH (RFC 3501 §6.4.5) with CHANGEDSINCE (RFC 7162 §3.1.4). BODY[...] without .PEEK sets \Seen
 * first (and the new flags are part of the answer). Responses stream with back-pressure in writes of about
 * 256 KiB (FETCH 1:* (UID FLAGS) on a big folder is a few writes, not 100,000).
 */
import type { MailboxSession, MessageSummary, StoredMessage } from '@mailyard/mailstore';
import type { FetchQueryItem, ImapSession } from 'wildduck/imap-core';
import {
  type FetchSource,
  fetchResponse,
  isMetadataOnly,
  itemValue,
  metadataLine,
  needsStoredMessage,
  responseItems,
  sequenceNumbers,
} from '../fetch-items.js';
import { failHook } from '../hook-failure.js';
import { handler as imapHandler } from '../imap-core.js';
import { asSelected } from '../selected-folder.js';

export interface FetchOptions {
  messages: number[];
  query: FetchQueryItem[];
  markAsSeen: boolean;
  changedSince: number;
  isUid: boolean;
}

type FetchCallback = (err: Error | null, success?: boolean | string) => void;

/** Responses are sent in writes of about this size (many small lines, or one large body). */
const BATCH_BYTES = 256 * 1024;
const CRLF = Buffer.from('\r\n');

function markSeen(mailbox: MailboxSession, path: string, uids: number[], reported: Set<number>): void {
  const result = mailbox.store(path, uids, { mode: 'add', flags: ['\\Seen'] });
  for (const changed of result.updated) reported.add(changed.modseq);
}

/** Up to this many messages are looked up one by one; more are read with one folder listing. */
const LOOKUP_LIMIT = 64;

function selectMessages(mailbox: MailboxSession, path: string, options: FetchOptions): MessageSummary[] {
  const changed = (m: MessageSummary) => !options.changedSince || m.modseq > options.changedSince;
  if (options.messages.length <= LOOKUP_LIMIT) {
    return options.messages.flatMap((uid) => mailbox.getMessage(path, uid) ?? []).filter(changed);
  }
  const wanted = new Set(options.messages);
  return mailbox.listMessages(path).filter((m) => wanted.has(m.uid) && changed(m));
}

function storedMessage(mailbox: MailboxSession, path: string, summary: MessageSummary): StoredMessage | null {
  return 'envelope' in summary ? (summary as StoredMessage) : mailbox.getMessage(path, summary.uid);
}

async function write(session: ImapSession, chunk: object): Promise<void> {
  if (session.writeStream.write(chunk)) return;
  await new Promise<void>((resolve) => session.writeStream.once('drain', () => resolve()));
}

function compileLine(seq: number | undefined, source: FetchSource, query: FetchQueryItem[]): Buffer | null {
  if (!seq) return null;
  if (isMetadataOnly(query)) return Buffer.from(metadataLine(seq, query, source.summary), 'binary');
  const values = query.map((item) => itemValue(source, item));
  return Buffer.from(imapHandler.compiler(fetchResponse(seq, responseItems(query), values)), 'binary');
}

async function streamResponses(session: ImapSession, selected: unknown, options: FetchOptions): Promise<void> {
  const folder = asSelected(selected);
  const { mailbox, path } = folder;
  if (options.markAsSeen) markSeen(mailbox, path, options.messages, folder.reported);
  const withStored = needsStoredMessage(options.query);
  const positions = sequenceNumbers(session.selected ? session.selected.uidList : []);
  const batch: Buffer[] = [];
  let batchBytes = 0;
  for (const summary of selectMessages(mailbox, path, options)) {
    const stored = withStored ? storedMessage(mailbox, path, summary) : null;
    const line = compileLine(positions.get(summary.uid), { mailbox, path, summary, stored }, options.query);
    if (line === null) continue;
    batch.push(line, CRLF);
    batchBytes += line.length + 2;
    if (batchBytes < BATCH_BYTES) continue;
    await write(session, { compiled: Buffer.concat(batch.splice(0), batchBytes - 2).subarray(0, batchBytes - 2) });
    batchBytes = 0;
  }
  if (batch.length) await write(session, { compiled: Buffer.concat(batch).subarray(0, batchBytes - 2) });
}

export function onFetch() {
  return (selected: unknown, options: FetchOptions, session: ImapSession, callback: FetchCallback): void => {
    streamResponses(session, selected, options).then(
      () => callback(null, true),
      (err: unknown) => callback(null, failHook(session, err, 'onFetch')),
    );
  };
}
