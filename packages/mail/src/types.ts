// Public data shapes of @mailyard/mail. Everything here is plain JSON (strings, numbers, null, arrays, objects)
// so that the mail store can keep it as is.

/**
 * One node of the MIME tree with the byte offsets of its header and body in the raw message.
 *
 * Offsets (all into the raw bytes exactly as stored, whatever their line endings):
 * - raw[headerStart, headerEnd)  the header fields, each with its own line ending;
 * - raw[headerEnd, bodyStart)    the blank line that ends the header (CRLF or LF; empty when there is none);
 * - raw[bodyStart, bodyEnd)      the body. In a multipart, the line ending before a boundary delimiter belongs to
 *                                the delimiter (RFC 2046 §5.1.1), so it is not part of the preceding body.
 * BODY[n.MIME] and BODY[HEADER] are raw[headerStart, bodyStart); BODY[n] and BODY[TEXT] are raw[bodyStart, bodyEnd).
 */
export interface MimePart {
  /** IMAP part number (RFC 3501 §6.4.5): '' for the message root, '1', '1.2', ... The root of a message/rfc822
   *  part's encapsulated message carries the path of that part. */
  path: string;
  headerStart: number;
  headerEnd: number;
  bodyStart: number;
  bodyEnd: number;
  /** Lowercased 'type/subtype' as the BODYSTRUCTURE reports it (defaults applied, RFC 2045 §5.2, RFC 2046 §5.1.5). */
  contentType: string;
  /** Multipart children; empty for every other part. */
  children: MimePart[];
  /** For message/rfc822 (in 7bit, 8bit or binary): the encapsulated message's root part. */
  message?: MimePart;
}

export interface IndexedAttachment {
  /** Encoded body bytes raw[start, end). */
  start: number;
  end: number;
  /** sha256 hex of raw[start, end). */
  hash: string;
  contentType: string;
  filename: string | null;
}

export interface IndexedMessage {
  /** Raw byte length (RFC822.SIZE). */
  size: number;
  mime: MimePart;
  /** IMAP ENVELOPE (RFC 3501 §7.4.2) as nested arrays: header text as found (encoded words kept), null for NIL. */
  envelope: unknown;
  /** IMAP BODYSTRUCTURE with extension data, as nested arrays (same layout as wildduck's indexer). */
  bodystructure: unknown;
  /** IMAP BODY: BODYSTRUCTURE without extension data. */
  body: unknown;
  /** Top-level header fields in order: key lowercased, value unfolded and RFC 2047 decoded. */
  headers: Array<{ key: string; value: string }>;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Decoded Subject ('' when absent). */
  subject: string;
  /** RFC 5256 §2.1 base subject (case kept; compare with i;unicode-casemap, e.g. lowercased). */
  normalizedSubject: string;
  date: Date | null;
  /** Decoded address lists for SEARCH FROM/TO/CC/BCC: 'Name <user@host>, ...'. */
  from: string;
  to: string;
  cc: string;
  bcc: string;
  /** Decoded text of the body for full-text search (text/plain decoded, text/html converted). */
  text: string;
  /** Decoded subject and addresses, for a full-text index of the header (SEARCH TEXT covers headers too). */
  headerText: string;
  attachments: IndexedAttachment[];
}
