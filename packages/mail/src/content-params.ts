/// <reference path="./untyped-modules.d.ts" />
// Structured MIME header values: `type/subtype; name=value; ...` (RFC 2045 §5.1, Content-Disposition RFC 2183).
// Parameters are returned as they appear in the header (quoted strings unquoted, names lowercased);
// joinContinuations merges RFC 2231 continuations for BODYSTRUCTURE (RFC 3501 §7.4.2 passes the MIME parameter
// list, clients decode RFC 2231 values themselves). `decodedParam` gives decoded values (file names).

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

interface Segment {
  index: number;
  encoded: boolean;
  value: string;
}

/**
 * Joins RFC 2231 §3 continuations (name*0, name*1*, ...) into one parameter, as IMAP servers report them: the
 * plain form when no segment is charset-encoded, else `name*` with the joined extended value (charset'lang'%xx)
 * that clients decode (RFC 2231 §4). Other parameters are returned unchanged, in header order.
 */
export function joinContinuations(params: Array<[string, string]>): Array<[string, string]> {
  const groups = new Map<string, Segment[]>();
  const order: Array<[string, string] | string> = [];
  for (const [name, value] of params) {
    const match = /^(.+?)\*(\d+)(\*?)$/.exec(name);
    if (!match) {
      order.push([name, value]);
      continue;
    }
    const base = match[1] as string;
    let segments = groups.get(base);
    if (!segments) {
      segments = [];
      groups.set(base, segments);
      order.push(base);
    }
    segments.push({ index: Number(match[2]), encoded: match[3] === '*', value });
  }
  return order.map((entry) => (typeof entry === 'string' ? joinSegments(entry, groups.get(entry) ?? []) : entry));
}

function joinSegments(base: string, segments: Segment[]): [string, string] {
  segments.sort((a, b) => a.index - b.index);
  if (!segments.some((segment) => segment.encoded)) return [base, segments.map((s) => s.value).join('')];
  const value = segments.map((s) => (s.encoded ? s.value : percentEncode(s.value))).join('');
  return [`${base}*`, segments[0]?.encoded ? value : `''${value}`];
}

function percentEncode(value: string): string {
  return Array.from(Buffer.from(value, 'latin1'))
    .map((byte) =>
      /[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}
