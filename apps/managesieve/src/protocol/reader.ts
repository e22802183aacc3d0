/**
 * The ManageSieve command reader (RFC 5804 §4): turns the bytes a client sends into lines of tokens. A line is
 * atoms, numbers and strings separated by spaces and ended by CRLF (a bare LF is accepted too); a string is quoted
 * (`"..."`, escapes `\"` and `\\` only, at most 1024 octets, no CR or LF) or a literal (`{n+}` CRLF and n octets,
 * RFC 5804 §4 literal-c2s; `{n}` is accepted the same way, without waiting for a continuation, as Dovecot does:
 * ManageSieve has no continuation for literals). The same reader serves AUTHENTICATE's client responses, which
 * are lines of one string.
 *
 * Bounds (limits.ts): the line outside literals, each quoted string, each literal. An over-long literal up to
 * maxDiscardBytes is read and dropped with the rest of its line (the session answers NO (QUOTA/MAXSIZE)); beyond
 * that, and for an over-long line, the reader reports a fatal error and the session ends with BYE. Bytes are
 * parsed once per line boundary or literal completion, never rescanned per arriving byte.
 */
import { MANAGESIEVE_LIMITS } from '../limits.js';

export type Token =
  | { kind: 'atom'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: Buffer; literal: boolean };

export type ReadResult =
  | { kind: 'line'; tokens: Token[] }
  /** The line did not parse; it was consumed and the session goes on. */
  | { kind: 'bad'; reason: string }
  /** A literal over maxLiteralBytes was read and dropped with its line. */
  | { kind: 'tooLarge'; size: number }
  /** The client cannot be followed any more: the session must end. */
  | { kind: 'fatal'; reason: string };

type ReaderLimits = Pick<
  typeof MANAGESIEVE_LIMITS,
  'maxLineBytes' | 'maxQuotedBytes' | 'maxLiteralBytes' | 'maxDiscardBytes' | 'maxArguments'
>;

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;

/** Raised inside a parse; `kind` decides what the reader reports. */
class ParseStop {
  constructor(
    readonly kind: 'incomplete' | 'bad' | 'fatal' | 'tooLarge',
    readonly reason: string,
    /** incomplete: bytes the buffer must hold before a retry can succeed (0: wait for the next LF). */
    readonly needBytes = 0,
    /** tooLarge: the literal's size and where its payload starts. */
    readonly literal?: { size: number; start: number },
    /** incomplete: literal payload bytes before the point reached (they do not count against the line). */
    readonly literalBytes = 0,
  ) {}
}

export class CommandReader {
  readonly #limits: ReaderLimits;
  #buffer: Buffer = Buffer.alloc(0);
  /** Total buffered bytes needed before parsing again; 0 means "when a LF arrives". */
  #needBytes = 0;
  #sawNewline = false;
  /** Octets of an over-long literal still to drop, then the rest of its line. */
  #discarding: { left: number; size: number } | null = null;
  /** After a bad line or a dropped literal: drop bytes up to and including the next LF. */
  #skipToLf = false;
  #pendingTooLarge: number | null = null;
  /** Literal payload bytes in the unfinished line at the buffer's head. */
  #literalBytes = 0;
  /** Set once a fatal result was given: nothing more is read. */
  #failed = false;

  constructor(limits: Partial<ReaderLimits> = {}) {
    this.#limits = { ...MANAGESIEVE_LIMITS, ...limits };
  }

  push(chunk: Buffer): void {
    if (this.#failed) return;
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (chunk.includes(LF)) this.#sawNewline = true;
  }

  /** The next complete result, or null when more bytes are needed (always null after a fatal result). */
  next(): ReadResult | null {
    const result = this.#next();
    if (result?.kind === 'fatal') {
      this.#failed = true;
      this.#buffer = Buffer.alloc(0);
    }
    return result;
  }

  #next(): ReadResult | null {
    if (this.#failed) return null;
    if (!this.#dropPending()) return null;
    if (this.#pendingTooLarge !== null) {
      const size = this.#pendingTooLarge;
      this.#pendingTooLarge = null;
      return { kind: 'tooLarge', size };
    }
    if (this.#buffer.length === 0) return null;
    if (this.#needBytes > 0 ? this.#buffer.length < this.#needBytes : !this.#sawNewline) {
      return this.#lineTooLong() ? { kind: 'fatal', reason: 'Line too long' } : null;
    }
    return this.#parse();
  }

  #parse(): ReadResult | null {
    try {
      const { tokens, end } = this.#parseLine();
      this.#consume(end);
      return { kind: 'line', tokens };
    } catch (err) {
      if (!(err instanceof ParseStop)) throw err;
      return this.#stopped(err);
    }
  }

  #stopped(stop: ParseStop): ReadResult | null {
    switch (stop.kind) {
      case 'incomplete':
        this.#needBytes = stop.needBytes;
        this.#literalBytes = stop.literalBytes;
        this.#sawNewline = false;
        return this.#lineTooLong() ? { kind: 'fatal', reason: 'Line too long' } : null;
      case 'fatal':
        return { kind: 'fatal', reason: stop.reason };
      case 'bad':
        // The rest of the line is dropped now or, when its end has not arrived, as it comes.
        this.#skipToLf = true;
        this.#dropPending();
        return { kind: 'bad', reason: stop.reason };
      case 'tooLarge': {
        const literal = stop.literal as { size: number; start: number };
        this.#consume(literal.start);
        this.#discarding = { left: literal.size, size: literal.size };
        this.#skipToLf = true;
        return this.#next();
      }
    }
  }

  /** Drops discarded literal bytes and a skipped line end; false while that is still under way. */
  #dropPending(): boolean {
    if (this.#discarding) {
      const take = Math.min(this.#discarding.left, this.#buffer.length);
      this.#consume(take);
      this.#discarding.left -= take;
      if (this.#discarding.left > 0) return false;
      this.#pendingTooLarge = this.#discarding.size;
      this.#discarding = null;
    }
    if (this.#skipToLf) {
      const lf = this.#buffer.indexOf(LF);
      if (lf < 0) {
        this.#consume(this.#buffer.length);
        return false;
      }
      this.#consume(lf + 1);
      this.#skipToLf = false;
    }
    return true;
  }

  #consume(bytes: number): void {
    this.#buffer = this.#buffer.subarray(bytes);
    this.#needBytes = 0;
    this.#literalBytes = 0;
    this.#sawNewline = this.#buffer.includes(LF);
  }

  /** Without any literal in the way, an unfinished line past maxLineBytes can never become valid. */
  #lineTooLong(): boolean {
    return this.#needBytes === 0 && this.#buffer.length - this.#literalBytes > this.#limits.maxLineBytes;
  }

  #parseLine(): { tokens: Token[]; end: number } {
    const buf = this.#buffer;
    const tokens: Token[] = [];
    let pos = 0;
    let lineBytes = 0;
    let literalBytes = 0;
    const incomplete = (needBytes = 0) => new ParseStop('incomplete', '', needBytes, undefined, literalBytes);
    for (;;) {
      while (pos < buf.length && buf[pos] === SP) pos++;
      if (pos >= buf.length) throw incomplete();
      const c = buf[pos] as number;
      if (c === CR || c === LF) {
        if (c === CR && pos + 1 >= buf.length) throw incomplete();
        return { tokens, end: this.#lineEnd(buf, pos) };
      }
      if (tokens.length > this.#limits.maxArguments) throw new ParseStop('bad', 'Too many arguments');
      const start = pos;
      const scanned = this.#tokenAt(buf, pos, literalBytes);
      tokens.push(scanned.token);
      literalBytes += scanned.literalBytes;
      const next = scanned.next;
      lineBytes += next - start - scanned.literalBytes;
      if (lineBytes > this.#limits.maxLineBytes) throw new ParseStop('fatal', 'Line too long');
      pos = next;
      if (pos < buf.length && buf[pos] !== SP && buf[pos] !== CR && buf[pos] !== LF) {
        throw new ParseStop('bad', 'Expected a space between arguments');
      }
    }
  }

  #lineEnd(buf: Buffer, pos: number): number {
    if (buf[pos] === LF) return pos + 1;
    if (buf[pos + 1] !== LF) throw new ParseStop('bad', 'CR without LF');
    return pos + 2;
  }

  /** #token, with an unfinished token's ParseStop carrying the literal bytes of the line before it. */
  #tokenAt(buf: Buffer, pos: number, literalBytes: number): { token: Token; next: number; literalBytes: number } {
    try {
      return this.#token(buf, pos);
    } catch (err) {
      if (!(err instanceof ParseStop) || err.kind !== 'incomplete') throw err;
      throw new ParseStop('incomplete', '', err.needBytes, undefined, literalBytes);
    }
  }

  #token(buf: Buffer, pos: number): { token: Token; next: number; literalBytes: number } {
    const c = buf[pos] as number;
    if (c === DQUOTE) return { ...this.#quoted(buf, pos), literalBytes: 0 };
    if (c === LBRACE) return this.#literal(buf, pos);
    return { ...atomOrNumber(buf, pos), literalBytes: 0 };
  }

  #quoted(buf: Buffer, pos: number): { token: Token; next: number } {
    const bytes: number[] = [];
    let i = pos + 1;
    for (; i < buf.length; i++) {
      const c = buf[i] as number;
      if (c === DQUOTE) break;
      if (c === CR || c === LF) throw new ParseStop('bad', 'Line break inside a quoted string');
      if (c === BACKSLASH) {
        i++;
        if (i >= buf.length) break;
        const escaped = buf[i] as number;
        if (escaped !== DQUOTE && escaped !== BACKSLASH) throw new ParseStop('bad', 'Bad escape in a quoted string');
        bytes.push(escaped);
      } else {
        bytes.push(c);
      }
      if (bytes.length > this.#limits.maxQuotedBytes) {
        throw new ParseStop('bad', `Quoted strings have at most ${this.#limits.maxQuotedBytes} octets; use a literal`);
      }
    }
    if (i >= buf.length) throw new ParseStop('incomplete', '');
    return { token: { kind: 'string', value: Buffer.from(bytes), literal: false }, next: i + 1 };
  }

  #literal(buf: Buffer, pos: number): { token: Token; next: number; literalBytes: number } {
    const header = /^\{(\d{1,10})(\+?)\}/.exec(buf.subarray(pos, pos + 14).toString('latin1'));
    if (!header) {
      if (buf.indexOf(LF, pos) < 0 && buf.length - pos < 14) throw new ParseStop('incomplete', '');
      throw new ParseStop('bad', 'Bad literal');
    }
    const size = Number(header[1]);
    const afterHeader = pos + header[0].length;
    if (afterHeader + 2 > buf.length) throw new ParseStop('incomplete', '', afterHeader + 2);
    if (buf[afterHeader] !== CR || buf[afterHeader + 1] !== LF) throw new ParseStop('bad', 'Literal must end its line');
    const start = afterHeader + 2;
    if (size > this.#limits.maxLiteralBytes) {
      if (size > this.#limits.maxDiscardBytes) throw new ParseStop('fatal', 'Literal too large');
      throw new ParseStop('tooLarge', '', 0, { size, start });
    }
    if (start + size > buf.length) throw new ParseStop('incomplete', '', start + size + 1);
    const value = Buffer.from(buf.subarray(start, start + size));
    return { token: { kind: 'string', value, literal: true }, next: start + size, literalBytes: size + 2 };
  }
}

/** An atom (command name, ACTIVE, "*") or a number: everything up to a space or a line end. */
function atomOrNumber(buf: Buffer, pos: number): { token: Token; next: number } {
  let i = pos;
  while (i < buf.length && buf[i] !== SP && buf[i] !== CR && buf[i] !== LF) {
    const c = buf[i] as number;
    if (c === DQUOTE || c === LBRACE || c < 0x20 || c > 0x7e) throw new ParseStop('bad', 'Bad character in an atom');
    i++;
  }
  if (i >= buf.length) throw new ParseStop('incomplete', '');
  const text = buf.subarray(pos, i).toString('latin1');
  if (/^\d{1,15}$/.test(text)) return { token: { kind: 'number', value: Number(text) }, next: i };
  return { token: { kind: 'atom', value: text }, next: i };
}
