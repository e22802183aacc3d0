/**
 * @mailyard/mail — parse and index a message, once, for every ingest path (SMTP delivery, IMAP APPEND and API
 * import all reach it through the mail store). Pure functions: no storage, no I/O.
 *
 * Domain and RFCs
 * - Message format RFC 5322 (header fields, folding §2.2.3, addresses §3.4, ids §3.6.4, dates §3.3), RFC 6532
 *   (UTF-8 headers: 8-bit header bytes are read as UTF-8 when valid, else Latin-1).
 * - MIME RFC 2045-2047 (Content-Type, transfer encodings, multipart §5.1.1 of 2046, encoded words), RFC 2183
 *   (Content-Disposition), RFC 2231 (parameter continuations; passed through to BODYSTRUCTURE as written,
 *   decoded for attachment file names), RFC 3676 (format=flowed, for search text).
 * - IMAP RFC 3501: ENVELOPE, BODY and BODYSTRUCTURE (§7.4.2), section specifiers BODY[...] (§6.4.5).
 * - Base subject for SORT/THREAD RFC 5256 §2.1; thread keys from References/In-Reply-To (§2.2); sort keys (RFC 5256
 *   §3, RFC 5957 DISPLAYFROM/DISPLAYTO) in i;ascii-casemap form (RFC 4790 §9.2).
 * - BINARY[section] decoding (RFC 3516), PREVIEW text (RFC 8970).
 *
 * Invariants
 * - The raw bytes are never rewritten: line endings stay as delivered (CRLF, bare LF or mixed) and every offset
 *   in the MIME tree points into those exact bytes, so BODY[section] is a slice (see MimePart in types.ts for the
 *   offset rules). Sizes and line counts in BODYSTRUCTURE are measured on the same ranges.
 * - indexMessage never throws on malformed input: missing or broken boundaries, unknown encodings and charsets,
 *   8-bit headers, no header/body separator, nesting past MAX_DEPTH (kept as a leaf), huge headers.
 * - There is one MIME splitter (mime-tree.ts); tests cross-check its byte ranges against mailsplit.
 *
 * On disk: nothing. The mail store keeps the IndexedMessage fields it needs next to the sealed raw bytes.
 */

export {
  type AddressEntry,
  addressListText,
  type Group,
  type Mailbox,
  mailboxesOf,
  parseAddressList,
} from './address-list.js';
export { baseSubject, type SubjectInfo, subjectInfo } from './base-subject.js';
export { type BinarySection, decodeTransferEncoding, getBinarySection } from './binary.js';
export { decodeTextPart, htmlText, MAX_TEXT_LENGTH } from './body-text.js';
export { countLines } from './bodystructure.js';
export { decodeHeaderWords } from './charset-text.js';
export type { Envelope, EnvelopeAddress } from './envelope.js';
export { findHeaderEnd, type HeaderBounds, type HeaderField, headerText, splitHeaderFields } from './header-block.js';
export { ATTACHMENT_MIN_BYTES, indexMessage, indexMessageSync } from './index-message.js';
export { type AttachmentInfo, type MessageContent, messageContent } from './message-parts.js';
export { MAX_DEPTH, type PartNode, parseMimeTree } from './mime-tree.js';
export { messagePreview, PREVIEW_MAX_CHARS } from './preview.js';
export {
  getSection,
  getSectionBySpec,
  parseSectionSpec,
  partAt,
  type SectionKind,
  type SectionSpec,
} from './section.js';
export { asciiCasemap, type SortFields, sortFields } from './sort-fields.js';
export { type ThreadInput, threadId, threadKey, threadLinks } from './thread-key.js';
export type { IndexedAttachment, IndexedMessage, MimePart } from './types.js';
