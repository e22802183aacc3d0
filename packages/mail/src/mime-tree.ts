// The one MIME splitter: walks the raw bytes once per nesting level and records, for every part, where its header
// and body are (see MimePart in types.ts for the exact offset rules). Never throws: a missing boundary makes the
// multipart a text/plain leaf, a missing close delimiter ends the last part at the parent's end, and nesting deeper
// than MAX_DEPTH is kept as a leaf.

import { paramValue, parseStructured, type StructuredValue } from './content-params.js';
import { findHeaderEnd, firstField, type HeaderField, splitHeaderFields } from './header-block.js';
import type { MimePart } from './types.js';

/** Nesting deeper than this (multiparts and encapsulated messages) is treated as a leaf. */
export const MAX_DEPTH = 50;

const LF = 0x0a;
const CR = 0x0d;
const IDENTITY_ENCODINGS = new Set(['', '7bit', '8bit', 'binary']);

/** A MIME tree node with what the indexers need besides the offsets. */
export interface PartNode extends MimePart {
  children: PartNode[];
  message?: PartNode;
  fields: HeaderField[];
  /** Content-Type parameters as in the header (one char per byte), in order. */
  typeParams: Array<[string, string]>;
  /** True when the part had no usable Content-Type and got the default. */
  typeDefaulted: boolean;
  /** Lowercased Content-Transfer-Encoding ('' when absent). */
  encoding: string;
}

/** Splits a whole message. */
export function parseMimeTree(raw: Buffer): PartNode {
  return parsePart(raw, 0, raw.length, '', 0, 'text/plain', 'message');
}

/** A node is either a message (the top one or an encapsulated one) or a body part of a multipart. */
type Role = 'message' | 'part';

/**
 * RFC 3501 §6.4.5: the part number of a node's body when the node is not multipart. A body part is its own
 * number; a non-multipart message's body is part 1 under the message ('1' at the top, '1.1' inside part 1).
 */
function leafPartNumber(path: string, role: Role): string {
  if (role === 'part') return path;
  return path ? `${path}.1` : '1';
}

function parsePart(
  raw: Buffer,
  start: number,
  end: number,
  path: string,
  depth: number,
  fallback: string,
  role: Role,
): PartNode {
  const { headerEnd, bodyStart } = findHeaderEnd(raw, start, end);
  const fields = splitHeaderFields(raw, start, headerEnd);
  const type = contentTypeOf(fields, fallback);
  const node: PartNode = {
    path,
    headerStart: start,
    headerEnd,
    bodyStart,
    bodyEnd: end,
    contentType: type.contentType,
    children: [],
    fields,
    typeParams: type.params,
    typeDefaulted: type.defaulted,
    encoding: transferEncodingOf(fields),
  };
  if (depth >= MAX_DEPTH) return keepAsLeaf(node);
  if (node.contentType.startsWith('multipart/')) splitMultipart(raw, node, depth);
  else if (node.contentType === 'message/rfc822' && IDENTITY_ENCODINGS.has(node.encoding)) {
    // RFC 3501 §6.4.5: the parts of an encapsulated message are numbered under the message/rfc822 part. When this
    // node is itself a non-multipart message, that part is its body (part 1 under it), not the message's own path.
    const partNumber = leafPartNumber(path, role);
    node.message = parsePart(raw, bodyStart, end, partNumber, depth + 1, 'text/plain', 'message');
  }
  return node;
}

/** Past MAX_DEPTH a multipart is not split; it is reported as an opaque leaf. */
function keepAsLeaf(node: PartNode): PartNode {
  if (node.contentType.startsWith('multipart/')) node.contentType = 'application/octet-stream';
  return node;
}

interface ContentType {
  contentType: string;
  params: Array<[string, string]>;
  defaulted: boolean;
}

/** RFC 2045 §5.2: no or unusable Content-Type means text/plain (message/rfc822 inside multipart/digest). */
function contentTypeOf(fields: HeaderField[], fallback: string): ContentType {
  const field = firstField(fields, 'content-type');
  if (!field) return { contentType: fallback, params: [], defaulted: true };
  const parsed: StructuredValue = parseStructured(field.raw);
  const match = /^([!#$%&'*+\-.^_`|~0-9a-z]+)\/([!#$%&'*+\-.^_`|~0-9a-z]+)$/.exec(parsed.value);
  if (match) return { contentType: parsed.value, params: parsed.params, defaulted: false };
  if (parsed.value === 'text') return { contentType: 'text/plain', params: parsed.params, defaulted: false };
  return { contentType: 'text/plain', params: parsed.params, defaulted: true };
}

/** Lowercased Content-Transfer-Encoding of a header, comments removed ('' when absent). */
export function transferEncodingOf(fields: HeaderField[]): string {
  const field = firstField(fields, 'content-transfer-encoding');
  if (!field) return '';
  return field.raw
    .replace(/\([^)]*\)/g, '')
    .trim()
    .toLowerCase();
}

interface Delimiter {
  /** Offset of the first '-' of the delimiter line. */
  lineStart: number;
  /** Offset just past the delimiter line's line ending. */
  next: number;
  close: boolean;
}

/** RFC 2046 §5.1.1: body parts sit between delimiter lines "--boundary" (transport padding allowed). */
function splitMultipart(raw: Buffer, node: PartNode, depth: number): void {
  const boundary = paramValue({ value: '', params: node.typeParams }, 'boundary');
  const delimiters = boundary ? findDelimiters(raw, node.bodyStart, node.bodyEnd, boundary) : [];
  if (delimiters.length === 0 || delimiters[0]?.close) {
    node.contentType = 'text/plain';
    return;
  }
  const childFallback = node.contentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
  for (let i = 0; i < delimiters.length; i++) {
    const delimiter = delimiters[i] as Delimiter;
    if (delimiter.close) break;
    const following = delimiters[i + 1];
    const start = delimiter.next;
    const end = following ? partEnd(raw, start, following.lineStart) : node.bodyEnd;
    const path = node.path ? `${node.path}.${node.children.length + 1}` : `${node.children.length + 1}`;
    node.children.push(parsePart(raw, start, end, path, depth + 1, childFallback, 'part'));
  }
}

/**
 * Where a part followed by a delimiter ends: before the line ending that belongs to the delimiter. One exception:
 * a header block with no blank line of its own, directly followed by that line ending ("--b CRLF H: v CRLF CRLF
 * --b"), reads as a header with an empty body, as mail readers see it; the line ending is then its blank line.
 */
function partEnd(raw: Buffer, start: number, delimiterStart: number): number {
  const end = Math.max(start, lineEndingStart(raw, delimiterStart));
  if (end === delimiterStart) return end;
  if (end === start) return delimiterStart;
  if (raw[end - 1] !== LF) return end;
  return findHeaderEnd(raw, start, end).headerEnd === end ? delimiterStart : end;
}

/** Start of the line ending that precedes a delimiter line (that line ending belongs to the delimiter). */
function lineEndingStart(raw: Buffer, lineStart: number): number {
  if (raw[lineStart - 1] !== LF) return lineStart;
  return raw[lineStart - 2] === CR ? lineStart - 2 : lineStart - 1;
}

function findDelimiters(raw: Buffer, start: number, end: number, boundary: string): Delimiter[] {
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiters: Delimiter[] = [];
  let pos = start;
  while (pos < end) {
    const at = raw.indexOf(dashBoundary, pos);
    if (at < 0 || at + dashBoundary.length > end) break;
    pos = at + dashBoundary.length;
    if (at !== start && raw[at - 1] !== LF) continue;
    const lineEnd = raw.indexOf(LF, pos);
    const next = lineEnd < 0 || lineEnd >= end ? end : lineEnd + 1;
    const rest = raw.toString('latin1', pos, next);
    const close = rest.startsWith('--');
    if (!close && !/^[ \t\r\n]*$/.test(rest)) continue;
    delimiters.push({ lineStart: at, next, close });
    if (close) break;
    pos = next;
  }
  return delimiters;
}

/** The JSON-safe MimePart view of a node (drops the parsed header data). */
export function toMimePart(node: PartNode): MimePart {
  const part: MimePart = {
    path: node.path,
    headerStart: node.headerStart,
    headerEnd: node.headerEnd,
    bodyStart: node.bodyStart,
    bodyEnd: node.bodyEnd,
    contentType: node.contentType,
    children: node.children.map(toMimePart),
  };
  if (node.message) part.message = toMimePart(node.message);
  return part;
}
