/**
 * One IMAP connection (RFC 9051 §2, §5.5): reads framed commands one at a time, runs them in order through the
 * dispatch table, writes replies with back-pressure. Invariants:
 * - one command runs at a time; while it runs the socket is paused once unread input is waiting, so a client
 *   that pipelines or floods queues nothing beyond one chunk (IDLE and AUTHENTICATE read their next line);
 * - STARTTLS (RFC 9051 §6.2.1, RFC 2595 §4): bytes the client sent after the STARTTLS line in plaintext are
 *   discarded, never executed inside TLS (the CVE-2011-0411 class);
 * - COMPRESS=DEFLATE (RFC 4978): inflated bytes go through the same framer and limits as plain ones, in bounded
 *   chunks with back-pressure on the socket, and everything stops when the socket closes;
 * - timeouts: idle (before and after login), a whole-command deadline and a minimum literal rate;
 * - a failure belongs to its command: mapped once to NO/BAD here (toImapResponse), logged, then forgotten;
 * - a command's work stops when the connection closes (issue 12 item 1): every CommandIo call throws
 *   ConnectionClosedError once it has, including a write that was waiting for the client to read, so the command
 *   stops at its next await; what it throws after the client left (that, or the mail store's "session closed")
 *   is no code bug and is logged as the stop it is.
 */
import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { InputSyntaxError, reportError, toImapResponse } from '@mailyard/errors';
import type { Logger } from '@mailyard/logger';
import { openConnection, timeCommand } from '@mailyard/monitor';
import type { Command, CommandIo } from './command.js';
import type { ProtocolLimits } from './limits.js';
import { parseCommand, UntaggedSyntaxError } from './parser.js';
import { CommandReader, type FramedCommand, type LiteralDecision, type LiteralHeader } from './reader.js';
import type { ParsedCommand, SessionState, TaggedResult } from './types.js';

/** What the connection needs from the session it serves (kept abstract so the core knows no storage). */
export interface SessionHandle {
  state: SessionState;
  badCommands: number;
  afterReply?: () => Promise<void> | void;
  /** Sends pending mailbox changes; `expunge` false after FETCH/STORE/SEARCH. */
  flush(write: (line: string) => Promise<void>, expunge: boolean): Promise<void>;
  end(): void;
}

export interface ConnectionOptions<S extends SessionHandle> {
  id: string;
  socket: Socket;
  secure: boolean;
  tls?: SecureContext;
  limits: ProtocolLimits;
  logger: Logger;
  commands: ReadonlyMap<string, Command<S>>;
  greeting(session: S): string;
  createSession(connection: ImapConnection<S>): S;
  onClose(): void;
  /**
   * The process's in-flight byte budget (limits ByteBudget): every message literal (APPEND, MULTIAPPEND, CATENATE)
   * reserves its size before its bytes are accepted and gives it back once the command has answered. A full budget
   * throws (TryAgainLaterError: NO [LIMIT] instead of the continuation). Absent: literals are not counted.
   */
  messageBudget?: { reserve(bytes: number): { release(): void } };
}

/** Thrown by CommandIo calls once the connection has closed: the running command stops there. */
export class ConnectionClosedError extends Error {
  constructor() {
    super('connection closed');
    this.name = 'ConnectionClosedError';
  }
}

const CRLF = '\r\n';
const STAR = Buffer.from('* ');
const CRLF_BYTES = Buffer.from(CRLF);

export class ImapConnection<S extends SessionHandle> {
  readonly id: string;
  readonly remoteAddress: string;
  readonly session: S;
  readonly #options: ConnectionOptions<S>;
  readonly #limits: ProtocolLimits;
  readonly #reader: CommandReader;
  #socket: Socket;
  #secure: boolean;
  #inflate: InflateRaw | null = null;
  #deflate: DeflateRaw | null = null;
  #input: Buffer[] = [];
  #busy = false;
  #closed = false;
  #discardInput = false;
  #lineWaiter: ((line: Buffer) => void) | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #commandTimer: NodeJS.Timeout | null = null;
  #rateTimer: NodeJS.Timeout | null = null;
  #literalBytes = 0;
  /** Budget reservations of the message literals of the command being read or run. */
  #reservations: Array<{ release(): void }> = [];
  /** Ends this connection's count in mailyard_connections{protocol="imap"}. */
  readonly #uncount = openConnection('imap');
  #closeWaiters: Array<() => void> = [];
  #flushScheduled = false;
  /** The socket is corked until the next tick (#corkForThisTick). */
  #corked = false;
  /** The inflate stream's input buffer is full: the socket stays paused until it drains. */
  #inflateFull = false;

  constructor(options: ConnectionOptions<S>) {
    this.#options = options;
    this.#limits = options.limits;
    this.id = options.id;
    this.#socket = options.socket;
    this.#secure = options.secure;
    this.remoteAddress = options.socket.remoteAddress ?? '';
    this.#reader = new CommandReader(
      {
        maxLineBytes: this.#limits.maxLineBytes,
        maxCommandBytes: this.#limits.maxCommandBytes,
        maxLiterals: this.#limits.maxLiterals,
      },
      { literal: (header) => this.#onLiteral(header), violation: (text) => this.bye(text) },
    );
    this.session = options.createSession(this);
    this.#socket.setNoDelay(true);
    this.#attach(this.#socket);
    this.#armIdle();
  }

  get secure(): boolean {
    return this.#secure;
  }

  get compressed(): boolean {
    return this.#deflate !== null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A command is running (IDLE included). */
  get busy(): boolean {
    return this.#busy;
  }

  get canStartTls(): boolean {
    return !this.#secure && this.#options.tls !== undefined;
  }

  /** Sends the greeting; call once after construction. */
  start(): void {
    void this.write(`* ${this.#options.greeting(this.session)}${CRLF}`);
  }

  // ---- output -------------------------------------------------------------------------------------------

  /** Writes bytes; resolves once the socket can take more (or the connection closed). */
  write(data: string | Buffer): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    const target = this.#deflate ?? this.#socket;
    if (!this.#deflate) this.#corkForThisTick();
    target.write(bytes);
    if (this.#deflate) this.#scheduleDeflateFlush();
    // Up to outputHighWaterBytes may wait in the socket's buffer (a FETCH keeps producing while the kernel
    // sends); past it the command waits until the client has read.
    if (target.writableLength <= this.#limits.outputHighWaterBytes) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        target.off('drain', done);
        this.#closeWaiters = this.#closeWaiters.filter((w) => w !== done);
        resolve();
      };
      target.once('drain', done);
      this.#closeWaiters.push(done);
    });
  }

  /**
   * What is written within one turn of the event loop (a command's untagged lines and its tagged reply; they are
   * awaited, but resolve at once while the socket has room) leaves in one writev: one system call, and as few
   * packets as the bytes need, instead of one of each per line (the socket has no Nagle delay). SELECT writes
   * about ten lines; each was a system call of its own.
   */
  #corkForThisTick(): void {
    if (this.#corked) return;
    this.#corked = true;
    const socket = this.#socket;
    socket.cork();
    process.nextTick(() => {
      this.#corked = false;
      socket.uncork();
    });
  }

  #scheduleDeflateFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#deflate?.flush(constants.Z_SYNC_FLUSH);
    });
  }

  /** Untagged line(s): `* text CRLF`. Parts may hold literal bytes. */
  untagged(text: string | Array<string | Buffer>): Promise<void> {
    if (typeof text === 'string') return this.write(`* ${text}${CRLF}`);
    return this.write(Buffer.concat([Buffer.from('* '), ...text.map(toBuffer), Buffer.from(CRLF)]));
  }

  #untaggedLines(lines: Array<string | Buffer>): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    const parts: Buffer[] = [];
    for (const line of lines) parts.push(STAR, toBuffer(line), CRLF_BYTES);
    return this.write(Buffer.concat(parts));
  }

  /** `* BYE text`, then close (without waiting for a client that does not read: close() destroys after a grace). */
  bye(text: string): void {
    if (this.#closed) return;
    void this.write(`* BYE ${text}${CRLF}`);
    this.close();
  }

  /** Closes after pending output is flushed. */
  close(): void {
    if (this.#closed) return;
    const end = () => this.#socket.end();
    if (this.#deflate) this.#deflate.end(() => setImmediate(end));
    else end();
    this.#shutdown();
    setTimeout(() => this.#socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.#socket.destroy();
    this.#shutdown();
  }

  #shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.stop();
    this.#input = [];
    this.#inflate?.destroy();
    this.#clearTimers();
    this.#releaseReservations();
    this.#uncount();
    for (const waiter of this.#closeWaiters.splice(0)) waiter();
    this.#lineWaiter?.(Buffer.alloc(0));
    this.#lineWaiter = null;
    this.session.end();
    this.#options.onClose();
  }

  // ---- input --------------------------------------------------------------------------------------------

  #attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.#onSocketData(chunk));
    socket.on('end', () => this.close());
    socket.on('close', () => this.#shutdown());
    socket.on('error', (err) => {
      this.#options.logger.debug({ err, cid: this.id }, 'imap socket error');
      this.destroy();
    });
  }

  #onSocketData(chunk: Buffer): void {
    if (this.#closed || this.#discardInput) return;
    this.#armIdle();
    if (this.#inflate) {
      if (!this.#inflate.write(chunk)) {
        this.#inflateFull = true;
        this.#socket.pause();
      }
      return;
    }
    this.#feed(chunk);
  }

  #feed(chunk: Buffer): void {
    this.#literalBytes += chunk.length;
    this.#input.push(chunk);
    this.#pump();
  }

  /** Frames and runs commands while none is running (or the running one waits for a line). */
  #pump(): void {
    while (!this.#closed && this.#input.length > 0 && (!this.#busy || this.#lineWaiter)) {
      const chunk = this.#input.shift() as Buffer;
      const framed = this.#reader.push(chunk);
      this.#watchCommandTime();
      if (!framed) continue;
      if (framed.rest.length > 0) this.#input.unshift(framed.rest);
      this.#onFramed(framed.command);
    }
    this.#setFlow();
  }

  /** Pauses the input while unread bytes wait, resumes once they are taken. */
  #setFlow(): void {
    if (this.#closed) return;
    const hold = this.#input.length > 0 || this.#discardInput;
    if (this.#inflate) {
      if (hold) this.#inflate.pause();
      else this.#inflate.resume();
    }
    if (hold || this.#inflateFull) this.#socket.pause();
    else this.#socket.resume();
  }

  #onFramed(framed: FramedCommand): void {
    this.#clearCommandTimers();
    const waiter = this.#lineWaiter;
    if (waiter) {
      this.#lineWaiter = null;
      waiter(framed.lines[0] ?? Buffer.alloc(0));
      return;
    }
    let command: ParsedCommand;
    try {
      command = parseCommand(framed, { maxDepth: this.#limits.maxDepth });
    } catch (err) {
      this.#releaseReservations();
      this.#badInput(framed, err);
      return;
    }
    if (command.name === 'STARTTLS' || command.name === 'COMPRESS') this.#holdInput();
    this.#busy = true;
    void this.#run(command).finally(() => {
      this.#busy = false;
      this.#discardInput = false;
      this.#pump();
    });
  }

  /**
   * After STARTTLS (and COMPRESS, whose following bytes are compressed) the plaintext still buffered is dropped:
   * RFC 2595 §4 / RFC 9051 §6.2.1, the command-injection class of CVE-2011-0411.
   */
  #holdInput(): void {
    this.#input = [];
    this.#reader.reset();
    this.#discardInput = true;
  }

  #badInput(framed: FramedCommand, err: unknown): void {
    const text = err instanceof Error ? err.message : 'Syntax error';
    if (err instanceof UntaggedSyntaxError) {
      void this.write(`* BAD ${text}${CRLF}`);
    } else {
      const tag = (framed.lines[0] ?? Buffer.alloc(0)).toString('latin1').split(' ')[0] ?? '*';
      void this.write(`${tag} BAD ${oneLine(text)}${CRLF}`);
    }
    this.#countBad();
  }

  /** RFC 9051 has no limit; we close a pre-login connection after too many bad commands (issue 12 item 12). */
  #countBad(): void {
    if (this.session.state !== 'not-authenticated') return;
    this.session.badCommands++;
    if (this.session.badCommands >= this.#limits.maxBadCommandsBeforeLogin) this.bye('Too many invalid commands');
  }

  // ---- literals and timers ------------------------------------------------------------------------------

  #onLiteral(header: LiteralHeader): LiteralDecision {
    const words = header.firstLine.toString('latin1', 0, 64).split(' ');
    const tag = words[0] ?? '*';
    const name = (words[1] ?? '').toUpperCase() === 'UID' ? `UID ${words[2] ?? ''}` : (words[1] ?? '');
    const command = this.#options.commands.get(name.toUpperCase());
    const isMessage = command?.literals === 'message' && this.session.state !== 'not-authenticated';
    const limit = isMessage
      ? this.#limits.maxMessageBytes
      : this.session.state === 'not-authenticated'
        ? this.#limits.maxPreAuthLiteralBytes
        : this.#limits.maxOtherLiteralBytes;
    if (header.size > limit) {
      // The command is dropped: earlier literals of it (MULTIAPPEND, CATENATE) give their bytes back.
      this.#releaseReservations();
      if (!header.sync) {
        this.bye('[TOOBIG] Literal too large');
        return 'close';
      }
      void this.write(`${tag} NO [TOOBIG] Literal too large (at most ${limit} bytes)${CRLF}`);
      this.#countBad();
      return 'refuse';
    }
    if (isMessage && !this.#reserve(tag, header)) return header.sync ? 'refuse' : 'close';
    if (header.sync) void this.write(`+ Go ahead${CRLF}`);
    this.#startRateWatch();
    return isMessage ? 'accept-message' : 'accept';
  }

  /**
   * Reserves a message literal's bytes from the budget before any is read. Refused: a synchronising literal gets
   * the tagged NO (RFC 9051 §7.5: the client then abandons the command; RFC 3502 §3 for MULTIAPPEND), a
   * non-synchronising one, already on its way (RFC 7888 §4), BYE. Earlier literals of the command are given back.
   */
  #reserve(tag: string, header: LiteralHeader): boolean {
    if (!this.#options.messageBudget) return true;
    try {
      this.#reservations.push(this.#options.messageBudget.reserve(header.size));
      return true;
    } catch (err) {
      this.#releaseReservations();
      const reply = toImapResponse(err);
      const text = `[${reply.code ?? 'LIMIT'}] ${oneLine(reply.text)}`;
      if (header.sync) void this.write(`${tag} NO ${text}${CRLF}`);
      else this.bye(text);
      return false;
    }
  }

  #releaseReservations(): void {
    for (const reservation of this.#reservations.splice(0)) reservation.release();
  }

  #armIdle(): void {
    const timeout =
      this.session?.state === 'not-authenticated'
        ? Math.min(this.#limits.preAuthIdleTimeoutMs, this.#limits.idleTimeoutMs)
        : this.#limits.idleTimeoutMs;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.bye('Idle timeout, closing connection'), timeout);
    this.#idleTimer.unref();
  }

  /** A partly read command must complete within the command budget (slow clients, issue 12 item 5). */
  #watchCommandTime(): void {
    if (!this.#reader.midCommand) {
      this.#clearCommandTimers();
      return;
    }
    if (this.#commandTimer) return;
    this.#commandTimer = setTimeout(() => this.bye('Command took too long'), this.#limits.commandTimeoutMs);
    this.#commandTimer.unref();
  }

  #startRateWatch(): void {
    if (this.#rateTimer) return;
    this.#literalBytes = 0;
    const minimum = (this.#limits.minLiteralRate * this.#limits.rateWindowMs) / 1000;
    this.#rateTimer = setInterval(() => {
      if (!this.#reader.inLiteral) return this.#clearRateTimer();
      if (this.#literalBytes < minimum) this.bye('Literal arriving too slowly');
      this.#literalBytes = 0;
    }, this.#limits.rateWindowMs);
    this.#rateTimer.unref();
  }

  #clearRateTimer(): void {
    if (this.#rateTimer) clearInterval(this.#rateTimer);
    this.#rateTimer = null;
  }

  #clearCommandTimers(): void {
    if (this.#commandTimer) clearTimeout(this.#commandTimer);
    this.#commandTimer = null;
    this.#clearRateTimer();
  }

  #clearTimers(): void {
    this.#clearCommandTimers();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  // ---- commands -----------------------------------------------------------------------------------------

  async #run(parsed: ParsedCommand): Promise<void> {
    const command = this.#options.commands.get(parsed.name);
    // Known command names only: an unknown one is counted as UNKNOWN, so clients cannot add metric labels.
    const recordCommand = timeCommand('imap', command ? parsed.name : 'UNKNOWN');
    let result: TaggedResult;
    if (!command) {
      result = { status: 'BAD', text: 'Unknown command' };
      this.#countBad();
    } else if (!command.states.includes(this.session.state)) {
      result = { status: 'BAD', text: `${parsed.name} not allowed now` };
    } else {
      result = await this.#execute(command, parsed);
    }
    if (this.#closed) return;
    await this.session
      .flush((line) => this.untagged(line), !command?.forbidsExpunge)
      .catch((err: unknown) => {
        // Closed meanwhile: the mail store session ended with the connection, which is no code bug.
        if (!this.#closed) reportError(this.#options.logger, err, { cid: this.id, stage: 'flush' });
      });
    this.#releaseReservations();
    recordCommand(commandResult(result));
    const code = result.code ? `[${result.code}] ` : '';
    await this.write(`${parsed.tag} ${result.status} ${code}${oneLine(result.text)}${CRLF}`);
    const after = this.session.afterReply;
    this.session.afterReply = undefined;
    if (after) await after();
    this.#armIdle();
  }

  /** Runs `step` unless the connection has closed, and throws if it closed meanwhile (a write it waited on). */
  async #whileOpen<T>(step: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new ConnectionClosedError();
    const result = await step();
    if (this.#closed) throw new ConnectionClosedError();
    return result;
  }

  async #execute(command: Command<S>, parsed: ParsedCommand): Promise<TaggedResult> {
    const io: CommandIo = {
      untagged: (text) => this.#whileOpen(() => this.untagged(text)),
      untaggedLines: (lines) => this.#whileOpen(() => this.#untaggedLines(lines)),
      raw: (parts) =>
        this.#whileOpen(() =>
          this.write(
            // One part goes as it is (a FETCH batch is one buffer already): no copy.
            parts.length === 1 ? (parts[0] as string | Buffer) : Buffer.concat(parts.map(toBuffer)),
          ),
        ),
      continuation: (text) =>
        this.#whileOpen(() => {
          void this.write(`+ ${text}${CRLF}`);
          return this.#nextLine();
        }),
      nextLine: () => this.#whileOpen(() => this.#nextLine()),
    };
    try {
      const result = await command.run({
        tag: parsed.tag,
        name: parsed.name,
        args: parsed.args,
        session: this.session,
        io,
      });
      return result ?? { status: 'OK', text: `${parsed.name} completed` };
    } catch (err) {
      if (this.#closed) return this.#stopped(parsed, err);
      const reply = toImapResponse(err);
      if (!(err instanceof InputSyntaxError))
        reportError(this.#options.logger, err, { cid: this.id, command: parsed.name });
      if (reply.status === 'BAD') this.#countBad();
      return {
        status: reply.status === 'BAD' ? 'BAD' : 'NO',
        text: reply.text,
        ...(reply.code ? { code: reply.code } : {}),
      };
    }
  }

  /**
   * The command ended with an error after the client left: it stopped at an await (ConnectionClosedError) or
   * touched the mail store session that closed with the connection. Nobody gets the reply, and it is not a
   * code bug; other errors are still worth a warning, with the error.
   */
  #stopped(parsed: ParsedCommand, err: unknown): TaggedResult {
    const context = { cid: this.id, command: parsed.name };
    if (err instanceof ConnectionClosedError) this.#options.logger.info(context, 'imap command stopped: client left');
    else this.#options.logger.warn({ ...context, err }, 'imap command failed after the client left');
    return { status: 'NO', text: 'Connection closed' };
  }

  #nextLine(): Promise<Buffer> {
    if (this.#closed) return Promise.resolve(Buffer.alloc(0));
    return new Promise((resolve) => {
      this.#lineWaiter = resolve;
      this.#pump();
    });
  }

  // ---- STARTTLS and COMPRESS ----------------------------------------------------------------------------

  /** RFC 9051 §6.2.1: the TLS handshake starts right after the tagged OK; nothing read before it is kept. */
  startTls(): Promise<void> {
    const context = this.#options.tls;
    if (!context) return Promise.reject(new Error('no TLS context'));
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('end');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    this.#reader.reset();
    this.#input = [];
    const secure = new TLSSocket(plain, { isServer: true, secureContext: context });
    this.#socket = secure;
    this.#secure = true;
    this.#attach(secure);
    return new Promise((resolve) => {
      secure.once('secure', () => resolve());
      secure.once('close', () => resolve());
    });
  }

  /** RFC 4978 §3: compression starts right after the tagged OK, both ways. */
  startCompression(): void {
    const inflate = createInflateRaw({ chunkSize: this.#limits.inflateChunkBytes });
    const deflate = createDeflateRaw({ level: constants.Z_DEFAULT_COMPRESSION });
    deflate.pipe(this.#socket);
    deflate.on('error', () => this.destroy());
    inflate.on('error', () => this.bye('Invalid compressed data'));
    inflate.on('data', (chunk: Buffer) => this.#feed(chunk));
    inflate.on('drain', () => {
      this.#inflateFull = false;
      this.#setFlow();
    });
    this.#input = [];
    this.#reader.reset();
    this.#inflate = inflate;
    this.#deflate = deflate;
  }
}

/** The metric result of a tagged reply: NO [SERVERBUG] is our fault (error), other NO the user's (no). */
function commandResult(result: TaggedResult): 'ok' | 'no' | 'bad' | 'error' {
  if (result.status === 'OK') return 'ok';
  if (result.status === 'BAD') return 'bad';
  return result.code === 'SERVERBUG' ? 'error' : 'no';
}

function toBuffer(part: string | Buffer): Buffer {
  return typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
}

/** A reply is one line: CR or LF in a message would start a second one. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
