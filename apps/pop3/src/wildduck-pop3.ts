/**
 * wildduck's POP3 server (CommonJS, loaded through createRequire), extended where its behaviour differs from what
 * Mailyard promises. wildduck keeps the state machine and the command implementations (USER, PASS, AUTH PLAIN,
 * CAPA, STAT, TOP, DELE, RSET, NOOP, STLS); the subclasses here change six things:
 *
 * 1. Dispatch. wildduck answers an unknown command with `-ERR bad command` and closes the connection, and closes it
 *    after any failed command too. fetchmail sends `LAST` (RFC 1725, dropped from RFC 1939) and would lose its
 *    session. `WildduckPop3Connection.processQueue` takes over the line dispatch: an unknown command gets `-ERR` and the
 *    session goes on (RFC 1939 §3); a failed command is answered through @mailyard/errors' toPop3Response
 *    (RFC 2449 §8 / RFC 3206 response codes) and the session goes on. Message numbers must be decimal digits
 *    (wildduck would index its listing with "1.5" and throw). Commands that finish at once are run in a loop, not
 *    by recursion, so thousands of pipelined lines cannot overflow the stack. Continuation lines (AUTH PLAIN
 *    without an initial response, RFC 5034 §4) are still wildduck's.
 * 2. RETR (RFC 1939 §7) is ours: status line, dot-stuffed body and terminator leave in one write. wildduck's
 *    stream pipeline took several event-loop turns per message and signalled completion before its final "."
 *    was flushed, so a pipelined reply (RFC 2449 §6.6) could overtake it. TOP stays wildduck's.
 * 3. QUIT (RFC 1939 §6): a failed UPDATE answers `-ERR` instead of `+OK`, and the reply names what was removed;
 *    the maildrop lock is given back as the reply leaves, not when the client closes (wildduck waited up to 1.5 s).
 *    STLS is refused after login (RFC 2595 §4), which wildduck would allow, and everything received after it in
 *    plaintext is discarded at the TLS boundary (wildduck ran it inside TLS: CVE-2011-0411 command injection).
 *    LIST and UIDL are ours: a message marked deleted cannot be named, and the listings keep message numbers.
 *    AUTH PLAIN refuses an authorization identity other than the user's own (RFC 4616 §2).
 * 4. Errors and lifecycle: wildduck's per-message GELF records become debug lines; server errors (failed TLS
 *    handshakes, socket errors) go to our logger instead of wildduck's console sink and never surface as an
 *    unhandled 'error' event; `onSessionStart`/`onSessionEnd` run once per connection so the mailbox it unlocked
 *    is released however it ends. Sockets use TCP_NODELAY. A listener past pop3.maxConnections refuses.
 * 5. Input: read() splits lines itself and ends the connection past POP3_LIMITS.maxLineBytes (wildduck's buffer grew
 *    without bound).
 * 6. Pace (pace.ts): a command line has limits.timeoutMs to arrive; no command runs while a megabyte of replies
 *    waits unread, and what waits must drain at limits.minTransferBytesPerSecond, or the connection ends.
 * 7. Metrics: each command is counted by name (UNKNOWN for names wildduck does not know) with its result: ok, no
 *    (an -ERR reply or a user error), bad (syntax), error (a code bug), and its duration.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { InputSyntaxError, isCodeBug, reportError, toPop3Response } from '@mailyard/errors';
import type { Logger } from '@mailyard/logger';
import { type CommandResult, timeCommand } from '@mailyard/monitor';
import type POP3ConnectionClass from 'wildduck/lib/pop3/connection';
import type POP3ServerClass from 'wildduck/lib/pop3/server';
import type { Pop3ListedMessage, Pop3ServerOptions, Pop3Session } from 'wildduck/lib/pop3/server';
import { multilineBody } from './dot-stuffing.js';
import { POP3_LIMITS } from './limits.js';
import { Pace, type PaceLimits, type TooSlow } from './pace.js';

const require = createRequire(import.meta.url);
const POP3Server = require('wildduck/lib/pop3/server') as typeof POP3ServerClass;
const POP3Connection = require('wildduck/lib/pop3/connection') as typeof POP3ConnectionClass;

/** Messages of wildduck's own argument checks ("malformed command"): the client's fault, not ours. */
const WILDDUCK_SYNTAX_MESSAGES = new Set(['malformed command']);

/** Commands taking message numbers (and TOP's line count): RFC 1939 §7 numbers are decimal digits. */
const NUMBERED_COMMANDS = new Set(['LIST', 'UIDL', 'RETR', 'TOP', 'DELE']);
const NUMBERS = /^(\d+( \d+)?)?$/;

export interface Pop3ServerExtensions {
  logger: Logger;
  /** The stored bytes of a listed message (throws NotFoundError when it is gone). */
  readMessage(session: Pop3Session, message: Pop3ListedMessage): Buffer;
  /**
   * Runs when a connection is accepted (after the TLS handshake on implicit-TLS ports); false refuses it (too many
   * connections from its address), and onSessionEnd does not follow.
   */
  onSessionStart(connectionId: string, remoteAddress: string): boolean;
  /** Runs once when a connection is gone, whatever ended it (QUIT, timeout, reset, server close). */
  onSessionEnd(connectionId: string): void;
  /** Gives back what a session holds (its mailbox, the maildrop lock) as QUIT is answered, before the socket closes. */
  onSignOff(connectionId: string): void;
  /** Time and rate bounds of commands and replies (pace.ts). */
  pace: PaceLimits;
  /** Sessions per listener (pop3.maxConnections); the next connection is refused. */
  maxConnections: number;
}

/** What a too-slow client is told before the connection ends (RFC 3206 §4: SYS/TEMP, it may try again). */
const TOO_SLOW_REPLY: Record<TooSlow, string> = {
  line: '-ERR [SYS/TEMP] Command not received in time',
  reply: '-ERR [SYS/TEMP] Reply not read in time',
};

function commandResult(err: Error | null | undefined, negative: boolean): CommandResult {
  if (!err) return negative ? 'no' : 'ok';
  if (err instanceof InputSyntaxError || WILDDUCK_SYNTAX_MESSAGES.has(err.message)) return 'bad';
  return isCodeBug(err) ? 'error' : 'no';
}

/** Maps any failure of a command to one `-ERR` line; code bugs are logged in full and answered generically. */
function errorReply(logger: Logger, err: Error, command: string): string {
  const classified = WILDDUCK_SYNTAX_MESSAGES.has(err.message) ? new InputSyntaxError(err.message) : err;
  reportError(logger, classified, { command });
  return toPop3Response(classified);
}

export class WildduckPop3Connection extends POP3Connection {
  #draining = false;
  #again = false;
  #pace: Pace | null = null;
  /** The command being run, for its metric: its recorder and whether a reply to it began with -ERR. */
  #current: { record: (result: CommandResult) => void; negative: boolean | undefined } | null = null;

  override send(payload: string | string[]): void {
    const first = Array.isArray(payload) ? payload[0] : payload;
    if (this.#current && this.#current.negative === undefined) this.#current.negative = first?.startsWith('-ERR');
    super.send(payload);
  }

  override init(): void {
    const pace = new Pace(
      this.#extensions().pace,
      () => this._socket,
      (what) => this.#tooSlow(what),
    );
    this.#pace = pace;
    this.once('close', () => pace.stop());
    super.init();
  }

  /**
   * wildduck's read() without its unbounded line buffer: input is split into lines here, a line longer than
   * POP3_LIMITS.maxLineBytes ends the connection, and the pace (pace.ts) times each line from its first byte.
   */
  override read(): void {
    for (let chunk = this._socket.read() as Buffer | null; chunk !== null; chunk = this._socket.read()) {
      const lines = `${this._remainder}${chunk.toString('binary')}`.split(/\r?\n/);
      this._remainder = lines.pop() ?? '';
      const max = POP3_LIMITS.maxLineBytes;
      if (this._remainder.length > max || lines.some((line) => line.length > max)) {
        this.#cutOff('-ERR Line too long', 'line too long');
        return;
      }
      this.#pace?.input(lines.length, this._remainder.length);
      if (lines.length > 0) {
        for (const line of lines) this.queue.push(Buffer.from(line, 'binary').toString());
        this.processQueue();
        return;
      }
    }
    this.processing = false;
  }

  #tooSlow(what: TooSlow): void {
    this.#cutOff(TOO_SLOW_REPLY[what], what === 'line' ? 'command not received in time' : 'reply not read in time');
    // A client that does not read its replies will not read this one either: do not wait for it.
    if (what === 'reply') this._socket.destroy();
  }

  #cutOff(reply: string, reason: string): void {
    this.#extensions().logger.info({ protocol: 'pop3', ip: this.remoteAddress, reason }, 'pop3 client cut off');
    this.queue = [];
    this._remainder = '';
    this.send(reply);
    this.close();
  }

  /** Called by wildduck whenever lines arrive and after every command; synchronous re-entries become iterations. */
  override processQueue(): void {
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#again = false;
        this.#processLine();
      } while (this.#again);
    } finally {
      this.#draining = false;
    }
  }

  #processLine(): void {
    if (this.#pace?.mustWait(() => this.processQueue())) return;
    const line = this.queue[0];
    if (line === undefined || this._nextHandler) {
      super.processQueue();
      return;
    }
    this.queue.shift();
    const trimmed = line.trim();
    const space = trimmed.indexOf(' ');
    const command = (space < 0 ? trimmed : trimmed.slice(0, space)).toUpperCase();
    const args = space < 0 ? '' : trimmed.slice(space + 1);
    const run = this[`command_${command}`];
    if (typeof run !== 'function') {
      // RFC 1939 §3: an unrecognized command gets a negative response; the session stays as it was.
      timeCommand('pop3', 'UNKNOWN')('bad');
      this.send('-ERR unknown command');
      this.processQueue();
      return;
    }
    this.#current = { record: timeCommand('pop3', command), negative: undefined };
    if (NUMBERED_COMMANDS.has(command) && !NUMBERS.test(args)) {
      this.#commandDone(command, new InputSyntaxError('malformed command'));
      return;
    }
    try {
      run.call(this, args, (err) => this.#commandDone(command, err));
    } catch (err) {
      this.#commandDone(command, err instanceof Error ? err : new Error(String(err)));
    }
  }

  #commandDone(command: string, err: Error | null | undefined): void {
    if (err) this.send(errorReply(this.#extensions().logger, err, command));
    const current = this.#current;
    this.#current = null;
    current?.record(commandResult(err, current.negative === true));
    this.processQueue();
  }

  /**
   * RFC 4616 §2: a PLAIN authorization identity other than the user's own is refused, since no user may act as
   * another (wildduck ignored it and logged in as the authentication identity, or used it when that was empty).
   */
  override authPlain(plain: string, done: (err?: Error | null) => void): void {
    const [authzid = '', authcid = ''] = Buffer.from(plain, 'base64').toString().split('\0');
    if (authzid !== '' && authzid.toLowerCase() !== authcid.toLowerCase()) {
      this.send('-ERR [AUTH] Authorization identity must be the user itself');
      done();
      return;
    }
    super.authPlain(plain, done);
  }

  /** RFC 1939 §7 RETR: "+OK", the message dot-stuffed, "." — one write, so pipelined replies keep their order. */
  command_RETR(args: string, done: (err?: Error | null) => void): void {
    const outcome = this.#retrieve(args);
    if (outcome instanceof Error) {
      done(outcome);
      return;
    }
    this.write(outcome);
    done();
  }

  /** The complete RETR reply (or a one-line refusal), or the error to answer with. */
  #retrieve(args: string): Buffer | Error {
    const session = this.session || undefined;
    const listing = session?.listing;
    if (session?.state !== 'TRANSACTION' || !listing) return Buffer.from('-ERR Command not accepted\r\n');
    const index = Number(args);
    if (!args || !(index > 0)) return new InputSyntaxError('malformed command');
    const message = listing.messages[index - 1];
    if (!message) return Buffer.from(`-ERR no such message, only ${listing.messages.length} messages in maildrop\r\n`);
    if (message.popped) return Buffer.from(`-ERR message ${index} already deleted\r\n`);
    let raw: Buffer;
    try {
      raw = this.#extensions().readMessage(session, message);
    } catch (err) {
      return err as Error;
    }
    message.fetched = true;
    return multilineBody(raw, Buffer.from(`+OK ${message.size} octets\r\n`, 'latin1'));
  }

  /**
   * RFC 2595 §4: STLS is only valid in the AUTHORIZATION state (wildduck would upgrade a logged-in session).
   * Whatever the client sent after STLS arrived in plaintext and is discarded at the TLS boundary, unanswered:
   * run inside the TLS session, an attacker's injected commands would act for the client (CVE-2011-0411).
   */
  command_STLS(args: string, done: (err?: Error | null) => void): void {
    if (this.session && this.session.state !== 'AUTHORIZATION') {
      this.send('-ERR Command not accepted');
      done();
      return;
    }
    if (!this.secured) this.#discardPlaintextInput();
    super.command_STLS?.(args, done);
  }

  #discardPlaintextInput(): void {
    this.queue = [];
    this._remainder = '';
    while (this._socket.read() !== null);
    this.#pace?.input(1, 0);
  }

  /**
   * LIST and UIDL (RFC 1939 §5, §7): a message marked as deleted may not be named ("-ERR"), and the listings
   * leave it out while the others keep their numbers. wildduck answered LIST n for a deleted message, and
   * renumbered the listings after a DELE.
   */
  command_LIST(args: string, done: (err?: Error | null) => void): void {
    done(this.#scanListing(args, (message) => String(message.size), true));
  }

  command_UIDL(args: string, done: (err?: Error | null) => void): void {
    done(this.#scanListing(args, (message) => message.id, false));
  }

  #scanListing(args: string, field: (message: Pop3ListedMessage) => string, withTotals: boolean): Error | null {
    const session = this.session || undefined;
    const listing = session?.listing;
    if (session?.state !== 'TRANSACTION' || !listing) {
      this.send('-ERR Command not accepted');
      return null;
    }
    if (!args) {
      const lines = listing.messages.flatMap((m, i) => (m.popped ? [] : [`${i + 1} ${field(m)}`]));
      this.send([withTotals ? `+OK ${listing.count} ${listing.size}` : '+OK', ...lines]);
      return null;
    }
    const index = Number(args);
    if (!(index > 0)) return new InputSyntaxError('malformed command');
    const message = listing.messages[index - 1];
    if (!message) this.send(`-ERR no such message, only ${listing.messages.length} messages in maildrop`);
    else if (message.popped) this.send(`-ERR message ${index} already deleted`);
    else this.send(`+OK ${index} ${field(message)}`);
    return null;
  }

  /** RFC 1939 §6: QUIT in TRANSACTION enters UPDATE, removes the DELE'd messages and reports the outcome. */
  command_QUIT(): void {
    const session = this.session || undefined;
    const listing = session?.listing;
    if (session?.state !== 'TRANSACTION' || !listing) {
      this.#signOff('+OK Bye');
      return;
    }
    session.state = 'UPDATE';
    const deleted = listing.messages.filter((m) => m.popped);
    const seen = listing.messages.filter((m) => !m.seen && m.fetched && !m.popped);
    if (deleted.length === 0 && seen.length === 0) {
      this.#signOff('+OK Bye');
      return;
    }
    this._server.onUpdate({ deleted, seen }, session, (err) => {
      if (err) {
        this.#signOff(errorReply(this.#extensions().logger, err, 'QUIT'));
        return;
      }
      const removed = deleted.length === 1 ? '1 message' : `${deleted.length} messages`;
      this.#signOff(deleted.length === 0 ? '+OK Bye' : `+OK Bye (${removed} deleted)`);
    });
  }

  /** Gives the maildrop back before the reply leaves, so a client reconnecting at once gets in (RFC 1939 §6). */
  #signOff(reply: string): void {
    this.session = false;
    this.#extensions().onSignOff(this.id);
    this.send(reply);
    this.close();
  }

  #extensions(): Pop3ServerExtensions {
    return (this._server as WildduckPop3Server).extensions;
  }
}

/** RFC 3206 §4: SYS/TEMP says the condition is temporary and the client may try again later. */
function refuse(socket: Socket, reply: string): void {
  socket.on('error', () => undefined);
  socket.setTimeout(POP3_LIMITS.refusalLingerMs, () => socket.destroy());
  socket.end(`${reply}\r\n`);
}

export class WildduckPop3Server extends POP3Server {
  readonly extensions: Pop3ServerExtensions;

  constructor(options: Pop3ServerOptions, extensions: Pop3ServerExtensions) {
    super(options);
    this.extensions = extensions;
  }

  /** wildduck's connect() (no onConnect hook is used) with our connection class, session hooks and TCP_NODELAY. */
  override connect(socket: Socket, socketOptions: { id: string; remoteAddress?: string; ignore?: boolean }): void {
    const remoteAddress = (socketOptions.remoteAddress ?? socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (this.connections.size >= this.extensions.maxConnections) {
      this.extensions.logger.warn({ protocol: 'pop3', ip: remoteAddress }, 'too many connections on listener');
      refuse(socket, '-ERR [SYS/TEMP] Too many connections, try again later');
      return;
    }
    if (!this.extensions.onSessionStart(socketOptions.id, remoteAddress)) {
      this.extensions.logger.warn({ protocol: 'pop3', ip: remoteAddress }, 'too many connections from address');
      refuse(socket, '-ERR [SYS/TEMP] Too many connections from your address');
      return;
    }
    // Replies go out as several small writes (status line, body, terminator); with Nagle's algorithm each RETR
    // would wait on the client's delayed ACK (about 40 ms).
    socket.setNoDelay(true);
    const connection = new WildduckPop3Connection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => {
      this.connections.delete(connection);
      this._onError(err);
    });
    connection.once('close', () => {
      this.connections.delete(connection);
      this.extensions.onSessionEnd(connection.id);
    });
    connection.init();
  }

  /**
   * wildduck's TLS start (implicit-TLS accept and STLS) with a deadline: a client that never finishes its
   * handshake is dropped after limits.timeoutMs instead of holding its socket (and a place under the listener's
   * connection bound) for ever; wildduck sets no timeout until the session starts.
   */
  override _upgrade(socket: Socket, callback: (err: Error | null, tlsSocket?: Socket) => void): void {
    const timer = setTimeout(() => socket.destroy(), this.extensions.pace.commandTimeoutMs);
    super._upgrade(socket, (err, tlsSocket) => {
      clearTimeout(timer);
      callback(err, tlsSocket);
    });
  }

  /** wildduck reports each RETR, TOP and deletion here (a GELF record); it throws when this is missing. */
  override loggelf(event: Record<string, unknown>): void {
    this.extensions.logger.debug({ event }, 'pop3 event');
  }

  /** wildduck sends these to its console sink and re-emits them; a client's failed handshake is no server fault. */
  override _onError(err: Error): void {
    this.extensions.logger.info({ err }, 'pop3 connection error');
  }
}
