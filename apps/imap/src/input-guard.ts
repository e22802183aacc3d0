/**
 * A Transform in front of imap-core's command parser, per connection:
 * - enforces the longest command line (imap.maxLineBytes; literals excepted): imap-core buffers a line without
 *   bound, so a client sending no newline could exhaust memory;
 * - adds LITERAL+ (RFC 7888): a non-synchronizing literal `{n+}` is rewritten to `{n}` for imap-core's parser
 *   and the connection suppresses the `+ Go ahead` imap-core then sends for it (the client did not wait).
 *   A non-synchronizing literal larger than imap-core would accept (APPEND: the message size limit; anything
 *   else: 1 KiB) cannot be refused politely because its bytes are already on the way: the connection is
 *   closed with BYE [TOOBIG] (RFC 7888 §4 allows this).
 * Holds at most one command line in memory; literal bytes stream through. Bytes are handed to the parser
 * synchronously (a Writable, not a piped Transform), so a command and a following end of input (a client that
 * half-closes after LOGOUT) reach imap-core in the order they arrived.
 */
import { Writable } from 'node:stream';

export type LiteralKind = 'sync' | 'nonsync';

export interface InputGuardOptions {
  maxLineBytes: number;
  maxAppendLiteralBytes: number;
  /** imap-core refuses literals above this outside APPEND (imap-command.js). */
  maxOtherLiteralBytes: number;
  /** Called with the reason when the connection must be closed. */
  onViolation(reply: string): void;
  /** Sends a reply line to the client without closing. */
  reply(line: string): void;
}

const LITERAL_HEADER = /\{(\d+)(\+?)\}(\r?\n)$/;
const NEWLINE = 0x0a;

export class InputGuard extends Writable {
  /** One entry per literal header passed on, in order; the connection consumes them as imap-core answers. */
  readonly literals: LiteralKind[] = [];
  readonly #options: InputGuardOptions;
  readonly #parser: Writable;
  #parserFull = false;
  #line: Buffer[] = [];
  #lineBytes = 0;
  #literalRemaining = 0;
  #commandIsAppend = false;
  #continuation = false;
  #stopped = false;

  constructor(parser: Writable, options: InputGuardOptions) {
    super();
    this.#parser = parser;
    this.#options = options;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    let rest = chunk;
    while (rest.length > 0 && !this.#stopped) rest = this.#consume(rest);
    if (!this.#parserFull) {
      done();
      return;
    }
    this.#parser.once('drain', () => {
      this.#parserFull = false;
      done();
    });
  }

  override _final(done: (err?: Error | null) => void): void {
    this.#parser.end();
    done();
  }

  /** Hands bytes to imap-core's parser at once; back-pressure holds the next chunk until it drains. */
  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (!this.#parser.write(bytes)) this.#parserFull = true;
  }

  #consume(data: Buffer): Buffer {
    if (this.#literalRemaining > 0) {
      const take = Math.min(this.#literalRemaining, data.length);
      this.#literalRemaining -= take;
      this.push(data.subarray(0, take));
      return data.subarray(take);
    }
    const newline = data.indexOf(NEWLINE);
    const end = newline < 0 ? data.length : newline + 1;
    this.#line.push(data.subarray(0, end));
    this.#lineBytes += end;
    if (this.#lineBytes > this.#options.maxLineBytes) {
      this.#stop('* BYE Command line too long');
      return Buffer.alloc(0);
    }
    if (newline >= 0) this.#endLine();
    return data.subarray(end);
  }

  #endLine(): void {
    const line = Buffer.concat(this.#line, this.#lineBytes);
    this.#line = [];
    this.#lineBytes = 0;
    if (!this.#continuation) this.#commandIsAppend = /^\S+ +(UID +)?APPEND /i.test(line.toString('latin1', 0, 64));
    const match = LITERAL_HEADER.exec(line.toString('latin1', Math.max(0, line.length - 32)));
    const continued = this.#continuation;
    this.#continuation = !!match;
    const forward = match ? this.#literalHeader(line, match, continued) : line;
    if (forward) this.push(forward);
  }

  /** The line to pass on for a line ending in a literal header, or null when the guard answered it itself. */
  #literalHeader(line: Buffer, match: RegExpExecArray, continued: boolean): Buffer | null {
    const size = Number(match[1]);
    const nonsync = match[2] === '+';
    if (nonsync && size > this.#literalLimit()) {
      this.#stop('* BYE [TOOBIG] Literal too large');
      return null;
    }
    if (!nonsync && this.#commandIsAppend && !continued && size > this.#literalLimit()) {
      this.#refuseAppend(line);
      return null;
    }
    this.literals.push(nonsync ? 'nonsync' : 'sync');
    this.#literalRemaining = size;
    if (!nonsync) return line;
    const header = Buffer.from(`{${size}}${match[3]}`);
    return Buffer.concat([line.subarray(0, line.length - match[0].length), header]);
  }

  /**
   * A synchronizing APPEND literal over the size limit, on the command's first line: answered here with
   * NO [TOOBIG] (RFC 4469 §4.2, RFC 7889) and never passed on, since imap-core's own check has a 1 MiB floor.
   */
  #refuseAppend(line: Buffer): void {
    this.#continuation = false;
    const tag = line.toString('latin1', 0, 64).split(' ')[0] ?? '*';
    this.#options.reply(`${tag} NO [TOOBIG] Message larger than ${this.#options.maxAppendLiteralBytes} bytes`);
  }

  #literalLimit(): number {
    return this.#commandIsAppend ? this.#options.maxAppendLiteralBytes : this.#options.maxOtherLiteralBytes;
  }

  #stop(reply: string): void {
    this.#stopped = true;
    this.#line = [];
    this.#options.onViolation(reply);
  }
}
