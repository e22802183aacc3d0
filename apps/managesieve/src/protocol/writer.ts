/**
 * What the server writes (RFC 5804 §4): strings as quoted strings when they can be (no CR, LF, NUL, at most 1024
 * octets), otherwise as literals (`{n}` CRLF octets, literal-s2c), and the OK / NO / BYE responses with an optional
 * response code (§1.3) and human-readable text.
 */

const QUOTED_MAX_OCTETS = 1024;

/** A string in the shortest form a client must accept. */
export function sieveString(text: string): string {
  const octets = Buffer.byteLength(text, 'utf8');
  if (octets <= QUOTED_MAX_OCTETS && !/[\r\n\0]/.test(text)) return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `{${octets}}\r\n${text}`;
}

export type ResponseKind = 'OK' | 'NO' | 'BYE';

/** `code` is a response code as written inside the parentheses, e.g. `QUOTA/MAXSIZE` or `TAG "x"`. */
export function response(kind: ResponseKind, text?: string, code?: string): string {
  const parts: string[] = [kind];
  if (code) parts.push(`(${code})`);
  if (text !== undefined) parts.push(sieveString(text.replace(/[\r\n]+/g, ' ')));
  return `${parts.join(' ')}\r\n`;
}
