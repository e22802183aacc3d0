/**
 * Argument helpers for command files: each command checks its own arguments (the parser is generic) and a
 * wrong argument is an InputSyntaxError, answered BAD (RFC 9051 §7.1.5).
 */
import { InputSyntaxError } from '@mailyard/errors';
import { pathFromWire } from '../mailbox-names.js';
import type { Token } from '../protocol/types.js';

/** The arguments, exactly `count` of them (or between min and max). */
export function expectArgs(args: Token[], min: number, max = min): void {
  if (args.length < min) throw new InputSyntaxError('Missing arguments');
  if (args.length > max) throw new InputSyntaxError('Too many arguments');
}

/** RFC 9051 §9 astring: an atom, a quoted string or a literal, as bytes. */
export function astringBytes(token: Token | undefined, what = 'argument'): Buffer {
  if (!token) throw new InputSyntaxError(`Missing ${what}`);
  if (token.type === 'atom') return token.raw;
  if (token.type === 'string' || token.type === 'literal') return token.value;
  throw new InputSyntaxError(`Invalid ${what}`);
}

/** astring as text (UTF-8). */
export function astring(token: Token | undefined, what = 'argument'): string {
  return astringBytes(token, what).toString('utf8');
}

/** An atom's text (command keywords, flags, sequence sets). */
export function atom(token: Token | undefined, what = 'argument'): string {
  if (token?.type !== 'atom') throw new InputSyntaxError(`Invalid ${what}`);
  return token.value;
}

/** A parenthesised list's items; a single atom counts as a one-item list when `single` allows it. */
export function list(token: Token | undefined, what = 'list', single = false): Token[] {
  if (token?.type === 'list') return token.items;
  if (single && token) return [token];
  throw new InputSyntaxError(`Invalid ${what}`);
}

/** A mailbox name as a store path (modified UTF-7, or UTF-8 after UTF8=ACCEPT). */
export function mailboxArg(token: Token | undefined, utf8: boolean): string {
  return pathFromWire(astringBytes(token, 'mailbox name'), utf8);
}

/** RFC 9051 §9 number / nz-number. */
export function number(token: Token | undefined, what = 'number', nonZero = false): number {
  const text = atom(token, what);
  if (!/^\d{1,20}$/.test(text)) throw new InputSyntaxError(`Invalid ${what}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || (nonZero && value === 0)) throw new InputSyntaxError(`Invalid ${what}`);
  return value;
}

/** Whether a token is the atom `name` (case-insensitive). */
export function isAtom(token: Token | undefined, name: string): boolean {
  return token?.type === 'atom' && token.value.toUpperCase() === name;
}
