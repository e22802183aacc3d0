// BINARY[section] (RFC 3516 §4.2): a part's body with its Content-Transfer-Encoding undone, so clients need not
// download base64 and decode it. Only a numbered part's body is decoded; the whole message and the HEADER, TEXT,
// MIME and HEADER.FIELDS forms come back as BODY[] would give them. Unknown encodings cannot be decoded: the
// server answers NO [UNKNOWN-CTE] (RFC 3516 §4.3), so they are reported rather than passed through.

import { decode as decodeQuotedPrintable } from 'libqp';
import { splitHeaderFields } from './header-block.js';
import { transferEncodingOf } from './mime-tree.js';
import { getSectionBySpec, parseSectionSpec, partAt } from './section.js';
import type { MimePart } from './types.js';

const IDENTITY = new Set(['', '7bit', '8bit', 'binary']);

export type BinarySection =
  | { kind: 'data'; data: Buffer }
  /** RFC 3516 §4.3 UNKNOWN-CTE: the part's encoding is not one this server decodes. */
  | { kind: 'unknown-cte'; encoding: string };

/** Lowercased Content-Transfer-Encoding of a part's own header. */
function encodingOf(raw: Buffer, part: MimePart): string {
  return transferEncodingOf(splitHeaderFields(raw, part.headerStart, part.headerEnd));
}

/** Undoes a transfer encoding; null for one this code does not know. */
export function decodeTransferEncoding(body: Buffer, encoding: string): Buffer | null {
  if (IDENTITY.has(encoding)) return body;
  if (encoding === 'base64') return Buffer.from(body.toString('latin1'), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return null;
}

/** BINARY[section] content; null when the section does not exist or is not a valid section spec. */
export function getBinarySection(raw: Buffer, mime: MimePart, section: string): BinarySection | null {
  const spec = parseSectionSpec(section);
  if (!spec) return null;
  const bytes = getSectionBySpec(raw, mime, spec);
  if (!bytes) return null;
  if (spec.kind !== 'all' || spec.part.length === 0) return { kind: 'data', data: bytes };
  const part = partAt(mime, spec.part);
  if (!part) return null;
  const encoding = encodingOf(raw, part);
  const data = decodeTransferEncoding(bytes, encoding);
  return data ? { kind: 'data', data } : { kind: 'unknown-cte', encoding };
}
