// PREVIEW (RFC 8970): a short plain-text abstract of a message for a message list. The first text a reader would
// see: the text/plain alternative (else text/html converted to text) of the first body part that has text,
// attachments and encapsulated messages skipped; whitespace runs collapsed to one space; at most
// PREVIEW_MAX_CHARS characters (RFC 8970 §3.2: never more than 256).

import { chosenAlternative, decodeTextPart, htmlText, isAttachment } from './body-text.js';
import { type PartNode, parseMimeTree } from './mime-tree.js';

/** RFC 8970 §3.2: the preview is at most 256 characters. */
export const PREVIEW_MAX_CHARS = 256;

/**
 * Body bytes decoded for a preview, at most: 64 KiB of text/plain is far more than 256 characters, and it bounds
 * the work for a message whose first part is huge (an HTML newsletter can open with kilobytes of styles).
 */
const PREVIEW_SOURCE_BYTES = 64 * 1024;

function capped(node: PartNode): PartNode {
  return { ...node, bodyEnd: Math.min(node.bodyEnd, node.bodyStart + PREVIEW_SOURCE_BYTES) };
}

function leafPreview(raw: Buffer, node: PartNode): string {
  if (isAttachment(node)) return '';
  if (node.contentType === 'text/plain') return decodeTextPart(raw, capped(node));
  if (node.contentType === 'text/html') return htmlText(decodeTextPart(raw, capped(node)));
  return '';
}

function firstText(raw: Buffer, node: PartNode): string {
  if (node.contentType === 'multipart/alternative') {
    const chosen = chosenAlternative(node);
    return chosen ? firstText(raw, chosen) : '';
  }
  if (node.children.length > 0) {
    for (const child of node.children) {
      const text = normalise(firstText(raw, child));
      if (text) return text;
    }
    return '';
  }
  return node.message ? '' : leafPreview(raw, node);
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The preview text of a message; '' when it has no text to show. Never throws. */
export function messagePreview(raw: Buffer): string {
  let text: string;
  try {
    text = normalise(firstText(raw, parseMimeTree(raw)));
  } catch {
    return '';
  }
  const chars = [...text];
  return chars.length > PREVIEW_MAX_CHARS ? chars.slice(0, PREVIEW_MAX_CHARS).join('').trimEnd() : text;
}
