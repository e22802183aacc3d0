/**
 * OBJECTID (RFC 8474): the ids a client may keep across sessions. objectid = 1*255(ALPHA / DIGIT / "_" / "-")
 * (§7). Each kind has a letter prefix, so an id of one kind never matches another kind:
 * - MAILBOXID 'F' + 24 hex: the folder row's object_id, made by a trigger when the row is inserted (schema.ts);
 *   RENAME keeps the row, so the id survives it (§4.1), and a folder created again gets a new one.
 * - EMAILID 'M' + 24 hex: the content row's email_id; COPY and MOVE share the content row, so a copy has the same
 *   EMAILID as its original (§5.1 allows it, and it is what lets a client skip downloading a moved message).
 * - THREADID 'T' + the content's thread_id (ingest.ts assigns it from References/In-Reply-To, RFC 5256 §2.2).
 */

const THREAD_PREFIX = 'T';

export function threadObjectId(threadId: string): string {
  return `${THREAD_PREFIX}${threadId}`;
}

/** The stored thread_id an RFC 8474 THREADID names, or null when it is not one of ours. */
export function threadIdValue(objectId: string): string | null {
  return objectId.startsWith(THREAD_PREFIX) && objectId.length > 1 ? objectId.slice(1) : null;
}
