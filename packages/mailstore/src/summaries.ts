/**
 * Listing rows with what a mail client's message list shows (RFC 8474 EMAILID and THREADID, flags, size,
 * internal date, the IMAP ENVELOPE), for a page of UIDs in one statement: the REST API's message list, where
 * getMessage per row would also parse each message's MIME tree and BODYSTRUCTURE.
 */
import { formatFlags } from './flags.js';
import type { FolderRef } from './folders.js';
import { threadObjectId } from './objectid.js';
import { type Db, prep } from './schema.js';
import type { EmailSummary } from './types.js';

interface Row {
  uid: number;
  modseq: number;
  flags: number;
  keywords: string;
  size: number;
  internal_date: number;
  email_id: string;
  thread_id: string;
  envelope: string;
}

/** The rows of these UIDs that exist, in UID order. */
export function emailSummaries(db: Db, folder: FolderRef, uids: number[]): EmailSummary[] {
  const rows = prep(
    db,
    `SELECT m.uid, m.modseq, m.flags, m.keywords, m.size, m.internal_date, c.email_id, c.thread_id, c.envelope
       FROM messages m JOIN contents c ON c.id = m.content_id
      WHERE m.folder_id = ? AND m.uid IN (SELECT value FROM json_each(?)) ORDER BY m.uid`,
  ).all(folder.id, JSON.stringify(uids)) as Row[];
  return rows.map((row) => ({
    uid: row.uid,
    modseq: row.modseq,
    flags: formatFlags(row.flags, row.keywords),
    size: row.size,
    internalDate: new Date(row.internal_date),
    emailId: row.email_id,
    threadObjectId: threadObjectId(row.thread_id),
    envelope: JSON.parse(row.envelope),
  }));
}
