// What a reader shows of a message: its text and HTML bodies (decoded to Unicode) and the list of its
// attachments (part number, type, file name, decoded size), for clients that want a message as data rather than
// bytes (the REST API). Same MIME tree and decoders as indexing, so it agrees with BODY[section] and SEARCH.
// RFC 2046 §5.1.4: in multipart/alternative the plain and the HTML alternatives are the two bodies; RFC 2183
// Content-Disposition decides what is an attachment; RFC 2392 Content-ID names inline parts.

import { decodeTextPart, decodeTransfer, isAttachment } from './body-text.js';
import { decodedParam } from './content-params.js';
import { firstField, headerText } from './header-block.js';
import { type PartNode, parseMimeTree } from './mime-tree.js';

export interface AttachmentInfo {
  /** IMAP part number (RFC 3501 §6.4.5): BODY[part] gives its encoded bytes, BINARY[part] the decoded ones. */
  part: string;
  contentType: string;
  filename: string | null;
  /** 'attachment', 'inline', or null without a Content-Disposition. */
  disposition: string | null;
  /** Content-ID without its angle brackets (RFC 2392 cid: URLs), or null. */
  contentId: string | null;
  /** Decoded size in bytes. */
  size: number;
}

export interface MessageContent {
  /** The text/plain body parts, decoded and joined; null when there is none. */
  text: string | null;
  /** The text/html body parts, decoded and joined; null when there is none. */
  html: string | null;
  attachments: AttachmentInfo[];
}

function partNumber(node: PartNode): string {
  return node.path || '1';
}

function disposition(node: PartNode): string | null {
  const field = firstField(node.fields, 'content-disposition');
  if (!field) return null;
  return headerText(field.raw).split(';')[0]?.trim().toLowerCase() || null;
}

function attachmentOf(raw: Buffer, node: PartNode): AttachmentInfo {
  const dispositionField = firstField(node.fields, 'content-disposition');
  const typeField = firstField(node.fields, 'content-type');
  const idField = firstField(node.fields, 'content-id');
  let size = node.bodyEnd - node.bodyStart;
  try {
    size = decodeTransfer(raw, node).length;
  } catch {
    // an undecodable body is reported with its encoded size
  }
  return {
    part: partNumber(node),
    contentType: node.contentType,
    filename:
      (dispositionField && decodedParam(dispositionField.raw, 'filename')) ||
      (typeField && decodedParam(typeField.raw, 'name')) ||
      null,
    disposition: disposition(node),
    contentId: idField ? headerText(idField.raw).trim().replace(/^<|>$/g, '') || null : null,
    size,
  };
}

/** A text leaf that is a body, not an attachment: no attachment disposition and no file name. */
function isBodyText(node: PartNode): boolean {
  if (node.contentType !== 'text/plain' && node.contentType !== 'text/html') return false;
  if (isAttachment(node)) return false;
  const dispositionField = firstField(node.fields, 'content-disposition');
  return !(dispositionField && decodedParam(dispositionField.raw, 'filename'));
}

function walk(raw: Buffer, node: PartNode, out: { text: string[]; html: string[]; attachments: AttachmentInfo[] }) {
  if (node.children.length > 0) {
    for (const child of node.children) walk(raw, child, out);
    return;
  }
  if (isBodyText(node)) {
    try {
      (node.contentType === 'text/html' ? out.html : out.text).push(decodeTextPart(raw, node));
      return;
    } catch {
      // a body whose charset or encoding cannot be decoded is listed as an attachment instead
    }
  }
  // Everything else, an attached message (message/rfc822) included, is an attachment of this message.
  out.attachments.push(attachmentOf(raw, node));
}

/** Text, HTML and attachments of a message. Never throws on malformed input (the tree is best effort). */
export function messageContent(raw: Buffer): MessageContent {
  const out = { text: [] as string[], html: [] as string[], attachments: [] as AttachmentInfo[] };
  walk(raw, parseMimeTree(raw), out);
  return {
    text: out.text.length > 0 ? out.text.join('\n') : null,
    html: out.html.length > 0 ? out.html.join('\n') : null,
    attachments: out.attachments,
  };
}
