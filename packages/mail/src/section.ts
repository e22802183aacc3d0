// BODY[section] by slicing the stored bytes (RFC 3501 §6.4.5). Every section is an exact byte range of the raw
// message, except HEADER.FIELDS / HEADER.FIELDS.NOT, which concatenate the matching fields' original bytes and
// end with the header's blank line.

import { splitHeaderFields } from './header-block.js';
import type { MimePart } from './types.js';

export type SectionKind = 'all' | 'HEADER' | 'TEXT' | 'MIME' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT';

export interface SectionSpec {
  /** Numeric part path, e.g. [1, 2] for '1.2'; empty for the whole message. */
  part: number[];
  /** 'all' is the bare part (or the whole message when `part` is empty). */
  kind: SectionKind;
  /** Field names for HEADER.FIELDS(.NOT), uppercased as written. */
  fields: string[];
}

/** Parses a section spec without the BODY[] brackets ('1.2.MIME', 'HEADER.FIELDS (FROM TO)'); null when invalid. */
export function parseSectionSpec(section: string): SectionSpec | null {
  const match = /^((?:[1-9][0-9]*)(?:\.[1-9][0-9]*)*)?(?:(?:^|\.)(.+))?$/s.exec(section.trim());
  if (!match) return null;
  const part = match[1] ? match[1].split('.').map(Number) : [];
  const rest = match[2];
  if (rest === undefined) return { part, kind: 'all', fields: [] };
  const upper = rest.toUpperCase();
  if (upper === 'HEADER' || upper === 'TEXT') return { part, kind: upper, fields: [] };
  if (upper === 'MIME') return part.length > 0 ? { part, kind: 'MIME', fields: [] } : null;
  const fieldsMatch = /^HEADER\.FIELDS(\.NOT)?\s*\(([^)]*)\)$/.exec(upper);
  if (!fieldsMatch) return null;
  const fields = (fieldsMatch[2] ?? '')
    .split(/\s+/)
    .map((name) => name.replace(/^"|"$/g, ''))
    .filter(Boolean);
  if (fields.length === 0) return null;
  return { part, kind: fieldsMatch[1] ? 'HEADER.FIELDS.NOT' : 'HEADER.FIELDS', fields };
}

type Level = 'message' | 'part';

interface Target {
  node: MimePart;
  level: Level;
}

/** Follows a part path. From a message, part 1 of a non-multipart message is its body (the root itself). */
function step(target: Target, n: number): Target | null {
  const { node, level } = target;
  if (node.contentType.startsWith('multipart/')) {
    const child = node.children[n - 1];
    return child ? { node: child, level: 'part' } : null;
  }
  if (level === 'message') return n === 1 ? { node, level: 'part' } : null;
  if (node.message) return step({ node: node.message, level: 'message' }, n);
  return null;
}

function resolve(root: MimePart, path: number[]): Target | null {
  let target: Target | null = { node: root, level: 'message' };
  for (const n of path) {
    if (!target) return null;
    target = step(target, n);
  }
  return target;
}

/** The MIME node a numeric part path names (RFC 3501 §6.4.5), or null when there is no such part. */
export function partAt(mime: MimePart, path: number[]): MimePart | null {
  return resolve(mime, path)?.node ?? null;
}

/** The message whose HEADER/TEXT a target names: the message itself, or the one a message/rfc822 part holds. */
function messageOf(target: Target): MimePart | null {
  if (target.level === 'message') return target.node;
  return target.node.message ?? null;
}

/** Bytes of a section (RFC 3501 §6.4.5), or null when the part does not exist or the form does not apply. */
export function getSection(raw: Buffer, mime: MimePart, section: string): Buffer | null {
  const spec = parseSectionSpec(section);
  if (!spec) return null;
  return getSectionBySpec(raw, mime, spec);
}

export function getSectionBySpec(raw: Buffer, mime: MimePart, spec: SectionSpec): Buffer | null {
  if (spec.part.length === 0 && spec.kind === 'all') return raw;
  const target = resolve(mime, spec.part);
  if (!target) return null;
  if (spec.kind === 'all') return raw.subarray(target.node.bodyStart, target.node.bodyEnd);
  if (spec.kind === 'MIME') return raw.subarray(target.node.headerStart, target.node.bodyStart);
  const message = messageOf(target);
  if (!message) return null;
  if (spec.kind === 'HEADER') return raw.subarray(message.headerStart, message.bodyStart);
  if (spec.kind === 'TEXT') return raw.subarray(message.bodyStart, message.bodyEnd);
  return headerFields(raw, message, spec.fields, spec.kind === 'HEADER.FIELDS.NOT');
}

/** HEADER.FIELDS / HEADER.FIELDS.NOT: the matching fields as they are in the message, then the blank line. */
function headerFields(raw: Buffer, message: MimePart, names: string[], not: boolean): Buffer {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const fields = splitHeaderFields(raw, message.headerStart, message.headerEnd);
  const chunks: Buffer[] = [];
  for (const field of fields) {
    if (wanted.has(field.name) === not) continue;
    chunks.push(raw.subarray(field.start, field.end));
    if (raw[field.end - 1] !== 0x0a) chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(blankLine(raw, message));
  return Buffer.concat(chunks);
}

function blankLine(raw: Buffer, message: MimePart): Buffer {
  if (message.bodyStart > message.headerEnd) return raw.subarray(message.headerEnd, message.bodyStart);
  return Buffer.from('\r\n');
}
