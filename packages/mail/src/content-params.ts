// Structured MIME header values: `type/subtype; name=value; ...` (RFC 2045 §5.1, Content-Disposition RFC 2183).
// Parameters are returned as they appear in the header (quoted strings unquoted, names lowercased), without
// joining RFC 2231 continuations: IMAP BODYSTRUCTURE passes the MIME parameter list through (RFC 3501 §7.4.2),
// and clients decode RFC 2231 themselves. `decodedParam` gives the decoded value for our own use (file names).

import libmime from 'libmime';
import { decodeHeaderWords } from './charset-text.js';
import { headerText } from './header-block.js';

export interface StructuredValue {
  /** The value before the first ';', lowercased and trimmed. */
  value: string;
  /** Parameters in header order: [name (lowercase), value]. */
  params: Array<[string, string]>;
}

/** Parses a structured value given one char per byte; parameter values stay one char per byte (see headerText). */
export function parseStructured(binary: string): StructuredValue {
  const input = stripComments(binary);
  const semicolon = findUnquoted(input, ';', 0);
  const value = input.slice(0, semicolon < 0 ? input.length : semicolon).trim();
  const params: Array<[string, string]> = [];
  let pos = semicolon;
  while (pos >= 0 && pos < input.length) {
    const next = findUnquoted(input, ';', pos + 1);
    const piece = input.slice(pos + 1, next < 0 ? input.length : next);
    const param = parseParam(piece);
    if (param) params.push(param);
    pos = next;
  }
  return { value: value.toLowerCase(), params };
}

function parseParam(piece: string): [string, string] | null {
  const eq = piece.indexOf('=');
  if (eq < 0) return null;
  const name = piece.slice(0, eq).trim().toLowerCase();
  if (!name || /[\s"]/.test(name)) return null;
  return [name, unquote(piece.slice(eq + 1).trim())];
}

/** Removes the quotes and backslash escapes of a quoted-string (RFC 5322 §3.2.4); tolerates a missing end quote. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"') break;
    if (ch === '\\' && i + 1 < value.length) {
      i++;
      out += value[i];
      continue;
    }
    out += ch;
  }
  return out;
}

function findUnquoted(input: string, char: string, from: number): number {
  let quoted = false;
  for (let i = from; i < input.length; i++) {
    const ch = input[i];
    if (ch === '\\' && quoted) i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === char && !quoted) return i;
  }
  return -1;
}

/** Removes RFC 5322 comments `( ... )` outside quoted strings (they may appear in MIME headers, RFC 2045 §5.1). */
function stripComments(input: string): string {
  if (!input.includes('(')) return input;
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] ?? '';
    if (ch === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += ch + (input[i + 1] ?? '');
      i++;
      continue;
    }
    if (depth === 0 && ch === '"') quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

/** First parameter with this name, or null. */
export function paramValue(structured: StructuredValue, name: string): string | null {
  return structured.params.find(([key]) => key === name)?.[1] ?? null;
}

/**
 * A parameter decoded for display: RFC 2231 continuations and charsets joined (via libmime), then RFC 2047
 * encoded words, which many mailers put in file names although RFC 2047 §5 forbids it.
 */
export function decodedParam(headerValue: string, name: string): string | null {
  try {
    const parsed = libmime.parseHeaderValue(headerText(headerValue));
    const value = parsed.params[name];
    if (typeof value !== 'string' || !value) return null;
    return decodeHeaderWords(value);
  } catch {
    return null;
  }
}
