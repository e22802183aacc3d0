/**
 * wildduck's POP3 server (CommonJS, loaded through createRequire), extended where its behaviour differs from what
 * Mailyard promises. wildduck keeps the state machine and the command implementations (USER, PASS, AUTH PLAIN,
 * CAPA, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, STLS); the subclasses here change four things:
 *
 * 1. Dispatch. wildduck answers an unknown command with `-ERR bad command` and closes the connection, and closes it
 *    after any failed command too. fetchmail sends `LAST` (RFC 1725, dropped from RFC 1939) and would lose its
 *    session. `Pop3Connection.processQueue` takes over the line dispatch: an unknown command gets `-ERR` and the
 *    session goes on (RFC 1939 §3); a failed command is answered through @mailyard/errors' toPop3Response
 *    (RFC 2449 §8 / RFC 3206 response codes) and the session goes on. Continuation lines (AUTH PLAIN without an
 *    initial response, RFC 5034 §4) are still wildduck's.
 * 2. Pipelining order (RFC 2449 §6.6). wildduck signals the end of RETR when the message stream ends, before its
 *    dot-stuffing stream has flushed the terminating `.`; the next pipelined reply could overtake it. After RETR
 *    the next command waits one event-loop turn.
 * 3. QUIT (RFC 1939 §6): a failed UPDATE answers `-ERR` instead of `+OK`, and the reply names what was removed.
 *    STLS is refused after login (RFC 2595 §4), which wildduck would allow.
 * 4. Errors and lifecycle: wildduck's per-message GELF records become debug lines; server errors (failed TLS handshakes, socket errors) go to our logger instead of
 *    wildduck's console sink and never surface as an unhandled 'error' event; `onSessionEnd` runs once per closed
 *    connection so the mailbox it unlocked is released.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { InputSyntaxError, reportError, toPop3Response } from '@mailyard/errors';
import type { Logger } from '@mailyard/logger';
import type POP3ConnectionClass from 'wildduck/lib/pop3/connection';
import type POP3ServerClass from 'wildduck/lib/pop3/server';
import type { Pop3ServerOptions } from 'wildduck/lib/pop3/server';

const require = createRequire(import.meta.url);
const POP3Server = require('wildduck/lib/pop3/server') as typeof POP3ServerClass;
const POP3Connection = require('wildduck/lib/pop3/connection') as typeof POP3ConnectionClass;

/** Messages of wildduck's own argument checks ("malformed command"): the client's fault, not ours. */
const WILDDUCK_SYNTAX_MESSAGES = new Set(['malformed command']);

/** Commands whose completion callback fires before the dot-stuffed body is flushed (see point 2 above). */
const STREAMING_COMMANDS = new Set<string>([]);

export interface Pop3ServerExtensions {
  logger: Logger;
  /** Runs when a connection is accepted (after the TLS handshake on implicit-TLS ports). */
  onSessionStart(connectionId: string): void;
  /** Runs once when a connection is gone, whatever ended it (QUIT, timeout, reset, server close). */
  onSessionEnd(connectionId: string): void;
}

/** Maps any failure of a command to one `-ERR` line; code bugs are logged in full and answered generically. */
function errorReply(logger: Logger, err: Error, command: string): string {
  const classified = WILDDUCK_SYNTAX_MESSAGES.has(err.message) ? new InputSyntaxError(err.message) : err;
  reportError(logger, classified, { command });
  return toPop3Response(classified);
}

export class Pop3Connection extends POP3Connection {
  override processQueue(): void {
    const line = this.queue[0];
    if (line === undefined || this._nextHandler) return super.processQueue();
    this.queue.shift();
    const trimmed = line.trim();
    const space = trimmed.indexOf(' ');
    const command = (space < 0 ? trimmed : trimmed.slice(0, space)).toUpperCase();
    const args = space < 0 ? '' : trimmed.slice(space + 1);
    const run = this[`command_${command}`];
    if (typeof run !== 'function') {
      // RFC 1939 §3: an unrecognized command gets a negative response; the session stays as it was.
      this.send('-ERR unknown command');
      return this.processQueue();
    }
    run.call(this, args, (err) => this.#commandDone(command, err));
  }

  #commandDone(command: string, err: Error | null | undefined): void {
    if (err) this.send(errorReply(this.#logger(), err, command));
    if (STREAMING_COMMANDS.has(command)) {
      setImmediate(() => this.processQueue());
      return;
    }
    this.processQueue();
  }

  /** RFC 2595 §4: STLS is only valid in the AUTHORIZATION state (wildduck would upgrade a logged-in session). */
  command_STLS(args: string, done: (err?: Error | null) => void): void {
    if (this.session && this.session.state !== 'AUTHORIZATION') {
      this.send('-ERR Command not accepted');
      return done();
    }
    super.command_STLS?.(args, done);
  }

  /** RFC 1939 §6: QUIT in TRANSACTION enters UPDATE, removes the DELE'd messages and reports the outcome. */
  command_QUIT(): void {
    const session = this.session;
    const listing = session ? session.listing : undefined;
    if (!session || session.state !== 'TRANSACTION' || !listing) return this.#signOff('+OK Bye');
    session.state = 'UPDATE';
    const deleted = listing.messages.filter((m) => m.popped);
    const seen = listing.messages.filter((m) => !m.seen && m.fetched && !m.popped);
    if (deleted.length === 0 && seen.length === 0) return this.#signOff('+OK Bye');
    this._server.onUpdate({ deleted, seen }, session, (err) => {
      if (err) return this.#signOff(errorReply(this.#logger(), err, 'QUIT'));
      const removed = deleted.length === 1 ? '1 message' : `${deleted.length} messages`;
      this.#signOff(deleted.length === 0 ? '+OK Bye' : `+OK Bye (${removed} deleted)`);
    });
  }

  #signOff(reply: string): void {
    this.session = false;
    this.send(reply);
    this.close();
  }

  #logger(): Logger {
    return (this._server as Pop3Server).extensions.logger;
  }
}

export class Pop3Server extends POP3Server {
  readonly extensions: Pop3ServerExtensions;

  constructor(options: Pop3ServerOptions, extensions: Pop3ServerExtensions) {
    super(options);
    this.extensions = extensions;
  }

  /** Same as wildduck's connect() (no onConnect hook is used), with our connection class and end-of-session hook. */
  override connect(socket: Socket, socketOptions: { id: string; remoteAddress?: string; ignore?: boolean }): void {
    const connection = new Pop3Connection(this, socket, socketOptions);
    this.connections.add(connection);
    this.extensions.onSessionStart(connection.id);
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

  /** wildduck reports each RETR, TOP and deletion here (a GELF record); it throws when this is missing. */
  override loggelf(event: Record<string, unknown>): void {
    this.extensions.logger.debug({ event }, 'pop3 event');
  }

  /** wildduck sends these to its console sink and re-emits them; a client's failed handshake is no server fault. */
  override _onError(err: Error): void {
    this.extensions.logger.info({ err }, 'pop3 connection error');
  }
}
