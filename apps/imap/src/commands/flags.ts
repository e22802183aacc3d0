/**
 * Flag lists of APPEND and STORE (RFC 9051 §2.3.2, §9 flag): the five system flags a client may set, and
 * keywords (atoms). `\Recent` is the server's (RFC 3501 §2.3.2) and is dropped; another unknown system flag,
 * `NIL` (not an atom but the nil value, RFC 9051 §4.5) or a non-atom is BAD. A message carries at most
 * maxKeywordsPerMessage keywords (issue 12 item 12).
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { Token } from '../protocol/types.js';
import { SYSTEM_FLAGS } from '../selected-view.js';

/** RFC 9051 §9 atom: no atom-specials, controls, or 8-bit bytes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the atom grammar excludes control characters
const ATOM = /^[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/;
const SYSTEM = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

export function parseFlag(token: Token): string | null {
  if (token.type !== 'atom') throw new InputSyntaxError('Flags must be atoms');
  const text = token.value;
  if (text.startsWith('\\')) {
    if (text.toLowerCase() === '\\recent') return null;
    const flag = SYSTEM.get(text.toLowerCase());
    if (!flag) throw new InputSyntaxError(`Invalid system flag ${text}`);
    return flag;
  }
  if (text.toUpperCase() === 'NIL') throw new InputSyntaxError('NIL is not a keyword');
  if (!ATOM.test(text)) throw new InputSyntaxError(`Invalid keyword ${text}`);
  return text;
}

/** The flags of a list (duplicates removed), checked against the keyword cap. */
export function parseFlags(tokens: Token[], maxKeywords: number): string[] {
  const flags = new Set<string>();
  for (const token of tokens) {
    const flag = parseFlag(token);
    if (flag) flags.add(flag);
  }
  const keywords = [...flags].filter((f) => !f.startsWith('\\'));
  if (keywords.length > maxKeywords) throw new InputSyntaxError(`At most ${maxKeywords} keywords per message`);
  return [...flags];
}

export function keywordCount(flags: readonly string[]): number {
  return flags.filter((f) => !f.startsWith('\\')).length;
}
