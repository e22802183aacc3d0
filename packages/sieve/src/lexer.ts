// Sieve lexical analysis (RFC 5228 §8.1): identifiers, tags, numbers with K/M/G, quoted strings with backslash
// escapes (§2.4.2), multi-line strings with dot-stuffing (§2.4.2), hash and bracket comments (§2.3), and the
// punctuation of the grammar. Every token and every error carries its line and column.

import { type Position, SieveSyntaxError } from './errors.js';

export type TokenKind = 'identifier' | 'tag' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier or tag name lowercased, punctuation character, or string contents. */
  text: string;
  /** Numbers only: the value with its quantifier applied. */
  value: number;
  pos: Position;
}

const PUNCTUATION = new Set(['[', ']', '(', ')', '{', '}', ',', ';']);
const QUANTIFIERS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** RFC 5228 §2.4.1 requires 2^31-1; larger numbers are refused instead of losing precision. */
const MAX_NUMBER = Number.MAX_SAFE_INTEGER;

const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isDigit = (c: string) => c >= '0' && c <= '9';

export class Lexer {
  private offset = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  private position(offset = this.offset): Position {
    return { line: this.line, column: offset - this.lineStart + 1 };
  }

  private fail(reason: string, pos: Position = this.position()): never {
    throw new SieveSyntaxError(reason, pos);
  }

  /** Moves one character forward, keeping track of line starts (LF ends a line; CRLF counts once). */
  private advance(): string {
    const c = this.text[this.offset++] ?? '';
    if (c === '\n') {
      this.line++;
      this.lineStart = this.offset;
    }
    return c;
  }

  private peek(ahead = 0): string {
    return this.text[this.offset + ahead] ?? '';
  }

  /** Skips white space and both kinds of comment (RFC 5228 §2.3). */
  private skipSpace(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.advance();
      else if (c === '#') this.skipHashComment();
      else if (c === '/' && this.peek(1) === '*') this.skipBracketComment();
      else return;
    }
  }

  private skipHashComment(): void {
    while (this.offset < this.text.length && this.peek() !== '\n') this.advance();
  }

  private skipBracketComment(): void {
    const start = this.position();
    const end = this.text.indexOf('*/', this.offset + 2);
    if (end < 0) this.fail('unterminated comment', start);
    while (this.offset < end + 2) this.advance();
  }

  next(): Token {
    this.skipSpace();
    const pos = this.position();
    const c = this.peek();
    if (c === '') return { kind: 'eof', text: '', value: 0, pos };
    if (PUNCTUATION.has(c)) {
      this.advance();
      return { kind: 'punct', text: c, value: 0, pos };
    }
    if (c === '"') return this.quotedString(pos);
    if (c === ':') return this.tag(pos);
    if (isDigit(c)) return this.number(pos);
    if (isAlpha(c)) return this.identifierOrText(pos);
    return this.fail(`unexpected character '${printable(c)}'`, pos);
  }

  private word(): string {
    const start = this.offset;
    while (isAlpha(this.peek()) || isDigit(this.peek())) this.advance();
    return this.text.slice(start, this.offset);
  }

  private tag(pos: Position): Token {
    this.advance();
    if (!isAlpha(this.peek())) this.fail('expected a tag name after ":"');
    return { kind: 'tag', text: this.word().toLowerCase(), value: 0, pos };
  }

  private number(pos: Position): Token {
    const start = this.offset;
    while (isDigit(this.peek())) this.advance();
    let value = Number(this.text.slice(start, this.offset));
    const quantifier = QUANTIFIERS[this.peek().toLowerCase()];
    if (quantifier !== undefined) {
      this.advance();
      value *= quantifier;
    }
    if (isAlpha(this.peek()) || isDigit(this.peek())) this.fail('invalid number', pos);
    if (value > MAX_NUMBER) this.fail('number too large', pos);
    return { kind: 'number', text: '', value, pos };
  }

  private identifierOrText(pos: Position): Token {
    const name = this.word().toLowerCase();
    if (name === 'text' && this.peek() === ':') return this.multiLine(pos);
    return { kind: 'identifier', text: name, value: 0, pos };
  }

  /** A quoted string: "\" followed by any character stands for that character (RFC 5228 §2.4.2). */
  private quotedString(pos: Position): Token {
    this.advance();
    let out = '';
    for (;;) {
      if (this.offset >= this.text.length) this.fail('unterminated string', pos);
      const c = this.advance();
      if (c === '"') return { kind: 'string', text: out, value: 0, pos };
      if (c === '\\') {
        if (this.offset >= this.text.length) this.fail('unterminated string', pos);
        out += this.advance();
      } else out += c;
    }
  }

  /**
   * A multi-line string: "text:", optional blanks and a hash comment, a line end, then lines up to a line holding
   * a single "."; a leading ".." stands for "." (RFC 5228 §2.4.2, dot-stuffing). Line ends are kept as written.
   */
  private multiLine(pos: Position): Token {
    this.advance();
    while (this.peek() === ' ' || this.peek() === '\t') this.advance();
    if (this.peek() === '#') this.skipHashComment();
    if (this.peek() === '\r') this.advance();
    if (this.peek() !== '\n') this.fail('expected a line end after "text:"');
    this.advance();
    let out = '';
    for (;;) {
      if (this.offset >= this.text.length) this.fail('unterminated multi-line string (no line with a single ".")', pos);
      const line = this.readLine();
      const content = line.replace(/\r?\n$/, '');
      if (content === '.') return { kind: 'string', text: out, value: 0, pos };
      out += line.startsWith('..') ? line.slice(1) : line;
    }
  }

  private readLine(): string {
    const start = this.offset;
    const end = this.text.indexOf('\n', start);
    const stop = end < 0 ? this.text.length : end + 1;
    while (this.offset < stop) this.advance();
    return this.text.slice(start, stop);
  }
}

function printable(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
}
