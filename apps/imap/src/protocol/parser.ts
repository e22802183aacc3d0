/**
 * Framed command -> ParsedCommand (RFC 9051 §9 / RFC 3501 §9 `command`): a tag, the command name (with `UID`
 * joined to the name that follows it) and the arguments as generic tokens. The parser knows no command's
 * arguments; command files check their own. Tokens:
 * - atom: any run of bytes up to SP, `(` or `)`, so every list-char (`%`, `*`, `]`, `{` inside) and sequence
 *   sets such as `1,*`, `*:3`, `$` are one atom; a `[` with a matching `]` later on the line opens a section
 *   that may hold spaces and parentheses (`BODY[HEADER.FIELDS (FROM TO)]<0.100>` is one atom);
 * - quoted string (only `\\` and `\"` may be escaped);
 * - literal (framed by the reader; literal8 marked binary);
 * - parenthesised list, nested at most `maxDepth` deep (issue 12 item 8: deep nesting answers BAD).
 */
import { InputSyntaxError } from '@mailyard/errors';
import type { FramedCommand } from './reader.js';
import type { ListToken, ParsedCommand, Token } from './types.js';

const SP = 0x20;
const OPEN = 0x28;
const CLOSE = 0x29;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** RFC 9051 §9 tag: astring-chars except `+`; we refuse control characters, specials and 8-bit bytes. */
const TAG = /^[\x21\x23-\x27\x2a\x2c-\x5b\x5d-\x7a\x7c\x7e]+$/;
const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

/** A command whose tag could not be read: answered with an untagged BAD. */
export class UntaggedSyntaxError extends InputSyntaxError {}

export interface ParseOptions {
  maxDepth: number;
}

export function parseCommand(framed: FramedCommand, options: ParseOptions): ParsedCommand {
  const first = framed.lines[0] ?? Buffer.alloc(0);
  const tagEnd = first.indexOf(SP);
  const tag = first.toString('latin1', 0, tagEnd < 0 ? first.length : tagEnd);
  if (!TAG.test(tag) || tagEnd < 0) throw new UntaggedSyntaxError('Invalid tag or missing command');
  const tokens = new Tokenizer(framed, tagEnd + 1, options.maxDepth).all();
  const name = commandName(tokens);
  return { tag, name, args: tokens };
}

/** Takes the command name (and the name after UID) off the front of the tokens. */
function commandName(tokens: Token[]): string {
  const word = () => {
    const token = tokens.shift();
    if (token?.type !== 'atom' || !COMMAND_NAME.test(token.value)) throw new InputSyntaxError('Missing command');
    return token.value.toUpperCase();
  };
  const name = word();
  return name === 'UID' ? `UID ${word()}` : name;
}

class Tokenizer {
  readonly #framed: FramedCommand;
  readonly #maxDepth: number;
  #piece = 0;
  #pos: number;

  constructor(framed: FramedCommand, start: number, maxDepth: number) {
    this.#framed = framed;
    this.#pos = start;
    this.#maxDepth = maxDepth;
  }

  get #line(): Buffer {
    return this.#framed.lines[this.#piece] ?? Buffer.alloc(0);
  }

  all(): Token[] {
    const root: ListToken = { type: 'list', items: [] };
    const stack: ListToken[] = [root];
    for (;;) {
      const top = stack[stack.length - 1] as ListToken;
      const line = this.#line;
      if (this.#pos >= line.length) {
        const literal = this.#framed.literals[this.#piece];
        if (!literal) break;
        top.items.push({ type: 'literal', value: literal.data, binary: literal.binary });
        this.#piece++;
        this.#pos = 0;
        continue;
      }
      const byte = line[this.#pos] as number;
      if (byte === SP) {
        this.#pos++;
        continue;
      }
      if (byte === OPEN) {
        if (stack.length > this.#maxDepth) throw new InputSyntaxError('Too deeply nested');
        const list: ListToken = { type: 'list', items: [] };
        top.items.push(list);
        stack.push(list);
        this.#pos++;
        continue;
      }
      if (byte === CLOSE) {
        if (stack.length === 1) throw new InputSyntaxError('Unexpected )');
        stack.pop();
        this.#pos++;
        continue;
      }
      top.items.push(byte === QUOTE ? this.#quoted(line) : this.#atom(line));
    }
    if (stack.length !== 1) throw new InputSyntaxError('Unbalanced parenthesis');
    return root.items;
  }

  #quoted(line: Buffer): Token {
    const bytes: number[] = [];
    for (let i = this.#pos + 1; i < line.length; i++) {
      const byte = line[i] as number;
      if (byte === QUOTE) {
        this.#pos = i + 1;
        return { type: 'string', value: Buffer.from(bytes) };
      }
      if (byte === BACKSLASH) {
        const next = line[++i];
        if (next !== QUOTE && next !== BACKSLASH) throw new InputSyntaxError('Invalid escape in quoted string');
        bytes.push(next);
        continue;
      }
      bytes.push(byte);
    }
    throw new InputSyntaxError('Unterminated quoted string');
  }

  #atom(line: Buffer): Token {
    const start = this.#pos;
    let i = start;
    while (i < line.length) {
      const byte = line[i] as number;
      if (byte === SP || byte === OPEN || byte === CLOSE) break;
      if (byte === OPEN_BRACKET) {
        const close = matchingBracket(line, i);
        if (close > 0) {
          i = close + 1;
          continue;
        }
      }
      i++;
    }
    this.#pos = i;
    const raw = line.subarray(start, i);
    return { type: 'atom', value: raw.toString('utf8'), raw };
  }
}

/** Index of the `]` closing the `[` at `open` (brackets nest), or -1 when there is none on the line. */
function matchingBracket(line: Buffer, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    if (line[i] === OPEN_BRACKET) depth++;
    else if (line[i] === CLOSE_BRACKET && --depth === 0) return i;
  }
  return -1;
}
