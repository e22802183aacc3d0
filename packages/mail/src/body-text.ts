/// <reference path="./untyped-modules.d.ts" />
// Decoded text of a message for full-text search: text/plain parts decoded (transfer encoding, then charset,
// then format=flowed, RFC 3676), text/html converted to text, one alternative per multipart/alternative
// (RFC 2046 §5.1.4: the last one the reader can show, preferring plain text), encapsulated messages included.

import { compile } from 'html-to-text';
import libmime from 'libmime';
import { decode as decodeQuotedPrintable } from 'libqp';
import { decodeText } from './charset-text.js';
import { paramValue, parseStructured } from './content-params.js';
import { firstField } from './header-block.js';
import type { PartNode } from './mime-tree.js';

/** Text beyond this many characters is not indexed. */
export const MAX_TEXT_LENGTH = 2 * 1024 * 1024;

const htmlToText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
  ],
  limits: { maxInputLength: MAX_TEXT_LENGTH },
});

/** Decoded body bytes of a leaf part (Content-Transfer-Encoding undone; unknown encodings left as they are). */
export function decodeTransfer(raw: Buffer, node: PartNode): Buffer {
  const body = raw.subarray(node.bodyStart, node.bodyEnd);
  if (node.encoding === 'base64') return Buffer.from(body.toString('latin1'), 'base64');
  if (node.encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function typeParam(node: PartNode, name: string): string | null {
  return paramValue({ value: '', params: node.typeParams }, name);
}

/** Body text of a text/* leaf in Unicode (see charset-text.ts for the charset rules). */
export function decodeTextPart(raw: Buffer, node: PartNode): string {
  let text = decodeText(decodeTransfer(raw, node), typeParam(node, 'charset'));
  if (typeParam(node, 'format')?.toLowerCase() === 'flowed') {
    text = libmime.decodeFlowed(text, typeParam(node, 'delsp')?.toLowerCase() === 'yes');
  }
  return text;
}

export function isAttachment(node: PartNode): boolean {
  const field = firstField(node.fields, 'content-disposition');
  return field ? parseStructured(field.raw).value === 'attachment' : false;
}

/** The alternative a reader would show: the last text/plain, else the last text/html, else the last part. */
export function chosenAlternative(node: PartNode): PartNode | undefined {
  const children = node.children;
  return (
    children.findLast((child) => child.contentType === 'text/plain') ??
    children.findLast((child) => child.contentType === 'text/html') ??
    children.at(-1)
  );
}

/** text/html to plain text, as indexed for search (links and images left out). */
export function htmlText(html: string): string {
  return htmlToText(html);
}

function leafText(raw: Buffer, node: PartNode): string | null {
  if (!node.contentType.startsWith('text/')) return null;
  if (node.contentType === 'text/html') return htmlToText(decodeTextPart(raw, node));
  if (node.contentType !== 'text/plain' && isAttachment(node)) return null;
  return decodeTextPart(raw, node);
}

function collect(raw: Buffer, node: PartNode, out: string[], headerText: (message: PartNode) => string): void {
  if (node.message) {
    out.push(headerText(node.message));
    collect(raw, node.message, out, headerText);
    return;
  }
  if (node.contentType === 'multipart/alternative') {
    const chosen = chosenAlternative(node);
    if (chosen) collect(raw, chosen, out, headerText);
    return;
  }
  if (node.children.length > 0) {
    for (const child of node.children) collect(raw, child, out, headerText);
    return;
  }
  const text = leafText(raw, node);
  if (text) out.push(text);
}

/**
 * Searchable text of the message body. `headerText` renders the header of encapsulated messages (their subject
 * and addresses are part of the body as far as SEARCH BODY is concerned).
 */
export function bodyText(raw: Buffer, root: PartNode, headerText: (message: PartNode) => string): string {
  const out: string[] = [];
  try {
    collect(raw, root, out, headerText);
  } catch {
    // a decoder failing on hostile input loses the text, never the message
  }
  const text = out.join('\n');
  return text.length > MAX_TEXT_LENGTH ? text.slice(0, MAX_TEXT_LENGTH) : text;
}
