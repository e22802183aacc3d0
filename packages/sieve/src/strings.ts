// String processing of the Sieve language: encoded characters (RFC 5228 §2.4.2.4), variable references and their
// expansion (RFC 5229 §3), and the modifiers of "set" (RFC 5229 §4.1) plus :quoteregex (draft-ietf-sieve-regex).

/** `${hex: 41 42}` and `${unicode: 263a}` (prefixes case-insensitive, blanks between the hex groups). */
const ENCODED = /\$\{(hex|unicode):([\s0-9a-fA-F]*)\}/gi;

/** Thrown for a unicode value outside U+0000-D7FF and U+E000-10FFFF (RFC 5228 §2.4.2.4 makes it an error). */
export class EncodedCharacterError extends Error {}

/** Replaces encoded characters; sequences that do not follow the syntax are left as they are. */
export function decodeEncodedCharacters(text: string): string {
  if (!text.includes('${')) return text;
  return text.replace(ENCODED, (whole, kind: string, body: string) => {
    const groups = body.trim().split(/\s+/).filter(Boolean);
    if (kind.toLowerCase() === 'hex') {
      if (groups.some((g) => g.length > 2)) return whole;
      return Buffer.from(groups.map((g) => Number.parseInt(g, 16))).toString('utf8');
    }
    if (groups.some((g) => g.length > 6)) return whole;
    return groups.map(codePoint).join('');
  });
}

function codePoint(hex: string): string {
  const value = Number.parseInt(hex, 16);
  if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    throw new EncodedCharacterError(`invalid unicode character U+${hex.toUpperCase()}`);
  }
  return String.fromCodePoint(value);
}

/** A variable name as "set" accepts it: identifier, optionally with namespaces (RFC 5229 §3, RFC 6609 §3.5). */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** A reference: `${name}`, `${ns.name}` or `${N}` for a match variable (RFC 5229 §3). */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|[0-9]+)\}/g;

/** True when the string holds at least one variable reference, so it cannot be checked before a run. */
export function hasVariables(text: string): boolean {
  REFERENCE.lastIndex = 0;
  return REFERENCE.test(text);
}

/**
 * Expands references once (no recursion: an expanded value is never expanded again). `lookup` receives the
 * lowercased name or the digits of a match variable; unknown names expand to "" (RFC 5229 §3).
 */
export function expandVariables(text: string, lookup: (name: string) => string, maxLength: number): string {
  if (!text.includes('${')) return text;
  const out = text.replace(REFERENCE, (_whole, name: string) => lookup(name.toLowerCase()));
  return truncate(out, maxLength);
}

/** Truncates to at most `maxLength` UTF-16 units without splitting a surrogate pair (RFC 5229 §3 allows it). */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.charCodeAt(maxLength - 1);
  return text.slice(0, cut >= 0xd800 && cut <= 0xdbff ? maxLength - 1 : maxLength);
}

/** ASCII-only lowercase, as i;ascii-casemap and the :lower modifier define it (RFC 4790 §9.2). */
export function asciiLower(text: string): string {
  if (!/[A-Z]/.test(text)) return text;
  // The native lowercase is exact on pure ASCII and much faster than a replace callback per letter.
  if (isAscii(text)) return text.toLowerCase();
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function asciiUpper(text: string): string {
  return /[a-z]/.test(text) ? text.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32)) : text;
}

/**
 * Applies "set" modifiers in RFC 5229 §4.1 precedence order: :lower/:upper (40), :lowerfirst/:upperfirst (30),
 * :quotewildcard/:quoteregex (20), :length (10). Case changes apply to ASCII letters only, as in Pigeonhole.
 */
export function applyModifiers(value: string, modifiers: ReadonlySet<string>): string {
  let out = value;
  if (modifiers.has('lower')) out = asciiLower(out);
  if (modifiers.has('upper')) out = asciiUpper(out);
  if (modifiers.has('lowerfirst')) out = asciiLower(out.slice(0, 1)) + out.slice(1);
  if (modifiers.has('upperfirst')) out = asciiUpper(out.slice(0, 1)) + out.slice(1);
  if (modifiers.has('quotewildcard')) out = out.replace(/[*?\\]/g, '\\$&');
  if (modifiers.has('quoteregex')) out = out.replace(/[\\^$.[\]|()?*+{}]/g, '\\$&');
  if (modifiers.has('length')) out = String([...out].length);
  return out;
}
