/**
 * The IMAP input framer (RFC 9051 §2.2, §4.3): bytes in, one framed command out at a time. A command is a line,
 * or lines joined by literals (`{n}`, `{n+}` LITERAL+/LITERAL- RFC 7888, `~{n}` literal8 RFC 3516). Every input
 * limit is enforced here, before anything is buffered beyond it:
 * - each line (outside literals) is at most `maxLineBytes`; a longer one closes the connection;
 * - each literal is asked about (`literal` hook) before its bytes are taken: a synchronizing literal may be
 *   refused (the client then does not send it, so what follows is read as lines again, still under the line
 *   limit: issue 12 item 1); a non-synchronizing literal over the limit closes the connection (RFC 7888 §4);
 * - one command holds at most `maxLiterals` literals and `maxCommandBytes` of non-message bytes.
 * The framer stops after each command (`push` returns the bytes it did not take), so a client that pipelines
 * does not queue unbounded work: the connection feeds the rest once the command has finished.
 */

/** One command's pieces: `lines.length === literals.length + 1`; each literal sits between two lines. */
export interface FramedCommand {
  lines: Buffer[];
  literals: Array<{ data: Buffer; binary: boolean }>;
}

export interface LiteralHeader {
  size: number;
  /** `{n}`: the client waits for `+` before sending it. */
  sync: boolean;
  binary: boolean;
  /** The command's first line (tag and name), to pick the limit and tag a refusal. */
  firstLine: Buffer;
}

/**
 * accept: take the bytes (for sync, the hook has sent `+`); accept-message: the same for a message literal
 * (APPEND), which is held to the message size instead of the command's byte limit; refuse: sync only, the hook
 * has answered NO and the client will not send the bytes; close: the hook has said BYE.
 */
export type LiteralDecision = 'accept' | 'accept-message' | 'refuse' | 'close';

export interface ReaderHooks {
  literal(header: LiteralHeader): LiteralDecision;
  /** A limit was broken: the connection says BYE with this text and closes. */
  violation(text: string): void;
}

export interface ReaderLimits {
  maxLineBytes: number;
  /** Lines plus literals of a command, message literals (APPEND) excepted. */
  maxCommandBytes: number;
  maxLiterals: number;
}

const LF = 0x0a;
const CR = 0x0d;
const LITERAL_HEADER = /(~?)\{(\d{1,20})(\+?)\}$/;

export class CommandReader {
  readonly #limits: ReaderLimits;
  readonly #hooks: ReaderHooks;
  #line: Buffer[] = [];
  #lineBytes = 0;
  #lines: Buffer[] = [];
  #literals: Array<{ data: Buffer; binary: boolean }> = [];
  #commandBytes = 0;
  /** Literal being read: its chunks and how many bytes are still due. */
  #literal: { chunks: Buffer[]; remaining: number; binary: boolean } | null = null;
  #stopped = false;

  constructor(limits: ReaderLimits, hooks: ReaderHooks) {
    this.#limits = limits;
    this.#hooks = hooks;
  }

  /** Whether a command is partly read (a deadline applies then, not the idle timeout). */
  get midCommand(): boolean {
    return this.#literal !== null || this.#lineBytes > 0 || this.#lines.length > 0;
  }

  /** Whether a literal's bytes are being read. */
  get inLiteral(): boolean {
    return this.#literal !== null;
  }

  /** Forgets everything buffered (STARTTLS: plaintext read before the handshake is never executed). */
  reset(): void {
    this.#line = [];
    this.#lineBytes = 0;
    this.#resetCommand();
  }

  stop(): void {
    this.#stopped = true;
    this.reset();
  }

  /**
   * Takes bytes until one command is complete. Returns it with the bytes not taken (to push again after the
   * command ran), or null with everything taken.
   */
  push(data: Buffer): { command: FramedCommand; rest: Buffer } | null {
    let rest = data;
    while (rest.length > 0 && !this.#stopped) {
      if (this.#literal) {
        rest = this.#takeLiteral(rest);
        continue;
      }
      const newline = rest.indexOf(LF);
      const end = newline < 0 ? rest.length : newline + 1;
      if (!this.#addToLine(rest.subarray(0, end))) return null;
      rest = rest.subarray(end);
      if (newline < 0) continue;
      const command = this.#endLine();
      if (command) return { command, rest };
    }
    return null;
  }

  #addToLine(bytes: Buffer): boolean {
    this.#lineBytes += bytes.length;
    if (this.#lineBytes > this.#limits.maxLineBytes + 2) return this.#violate('Command line too long');
    this.#line.push(bytes);
    return true;
  }

  #takeLiteral(data: Buffer): Buffer {
    const literal = this.#literal;
    if (!literal) return data;
    const take = Math.min(literal.remaining, data.length);
    literal.chunks.push(data.subarray(0, take));
    literal.remaining -= take;
    if (literal.remaining === 0) {
      this.#literals.push({ data: Buffer.concat(literal.chunks), binary: literal.binary });
      this.#literal = null;
    }
    return data.subarray(take);
  }

  /** A full line arrived: either the command ends, or a literal header starts a literal. */
  #endLine(): FramedCommand | null {
    const raw = this.#line.length === 1 ? (this.#line[0] as Buffer) : Buffer.concat(this.#line);
    this.#line = [];
    this.#lineBytes = 0;
    const line = stripEol(raw);
    this.#commandBytes += line.length;
    if (this.#commandBytes > this.#limits.maxCommandBytes) {
      this.#violate('Command too long');
      return null;
    }
    const header = LITERAL_HEADER.exec(line.toString('latin1', Math.max(0, line.length - 26)));
    if (!header) {
      this.#lines.push(line);
      const command = { lines: this.#lines, literals: this.#literals };
      this.#resetCommand();
      return command;
    }
    this.#lines.push(line.subarray(0, line.length - header[0].length));
    this.#startLiteral(header);
    return null;
  }

  #startLiteral(header: RegExpExecArray): void {
    const size = Number(header[2]);
    const sync = header[3] !== '+';
    const binary = header[1] === '~';
    if (this.#literals.length >= this.#limits.maxLiterals) {
      this.#violate('Too many literals in one command');
      return;
    }
    const firstLine = this.#lines[0] ?? Buffer.alloc(0);
    const decision = this.#hooks.literal({ size, sync, binary, firstLine });
    if (decision === 'close') {
      this.stop();
      return;
    }
    if (decision === 'refuse') {
      this.#resetCommand();
      return;
    }
    if (decision === 'accept') {
      this.#commandBytes += size;
      if (this.#commandBytes > this.#limits.maxCommandBytes) {
        this.#violate('Command too long');
        return;
      }
    }
    if (size === 0) {
      this.#literals.push({ data: Buffer.alloc(0), binary });
      return;
    }
    this.#literal = { chunks: [], remaining: size, binary };
  }

  #resetCommand(): void {
    this.#lines = [];
    this.#literals = [];
    this.#literal = null;
    this.#commandBytes = 0;
  }

  #violate(text: string): false {
    this.stop();
    this.#hooks.violation(text);
    return false;
  }
}

function stripEol(line: Buffer): Buffer {
  let end = line.length;
  if (end > 0 && line[end - 1] === LF) end--;
  if (end > 0 && line[end - 1] === CR) end--;
  return line.subarray(0, end);
}
