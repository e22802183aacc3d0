/**
 * GuardedSmtpServer: smtp-server as Mailyard runs it, extended by subclassing and by the two options our reviewed
 * patch adds (patches/smtp-server@3.21.6.patch: greetingDelay, onCommandLine; an upgrade of smtp-server fails the
 * install until the patch is redone, so they cannot switch off silently).
 * - Greeting: smtp-server waited a fixed 100 ms before the 220 to catch early talkers; the pause is now a setting
 *   per listener (smtp.mxGreetingDelayMs, smtp.submissionGreetingDelayMs; listener.ts), off by default.
 * - Replies: a handler error whose text starts with an enhanced status code is sent as is (see smtp-reply.ts).
 *   AUTH where it is not offered says why: on submission before TLS, 530 5.7.0 (RFC 3207 §4); on the MX, which
 *   has no AUTH at all, 502 5.5.1 (RFC 5321 §4.2.4: a command not implemented here), never a STARTTLS hint.
 * - Bare CR: smtp-server splits command lines at CRLF or LF and its parameter parser treats a CR as a space, so
 *   'ENVID=a<CR>b' would pass as two parameters. A command line holding a CR (any left after the split is bare)
 *   gets 501 5.5.2 and is not run (RFC 5321 §2.3.8: CR only as part of CRLF), like a bare LF in DATA
 *   (refuseBareCr, the onCommandLine hook; smtp-server discards lines sent during a TLS handshake before it).
 * - Deadlines: each connection gets a ConnectionGuard (per-command and per-DATA time, minimum DATA rate), kept by
 *   session id for the hooks (onSecure hands it the TLS socket, onData starts the DATA watch). The implicit-TLS
 *   handshake, before there is a connection, gets commandTimeoutMs too (_upgrade): smtp-server's own handshake
 *   timeout is an idle timeout, which a client dripping bytes never meets. A STARTTLS handshake keeps smtp-server's
 *   idle timeout only (its TLS socket is not reachable from outside, and destroying the plain socket under it
 *   crashes Node 20), bounded in number by the listener's connection cap.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { ConnectionGuard, type GuardedConnection, type GuardLimits } from './connection-guard.js';
import { ENHANCED_PREFIX } from './smtp-reply.js';

type SendContext = string | false | undefined;

/** What Mailyard adds to the options: which service this is and the deadlines to enforce (none when absent). */
export interface GuardedSmtpServerOptions {
  mode?: 'mx' | 'submission';
  limits?: GuardLimits;
  /** Where the guards of live connections are kept by session id (shared by the listeners of one service). */
  guards?: Map<string, ConnectionGuard>;
}

/** The parts of smtp-server's (untyped) connection object used here. */
interface Connection extends GuardedConnection {
  id: string;
  secure: boolean;
}

const CR = 0x0d;

/** The onCommandLine hook: a command line holding a bare CR is answered 501 5.5.2 and not run. */
export function refuseBareCr(line: Buffer): [number, string] | null {
  return line.includes(CR) ? [501, '5.5.2 Bare CR in command line; lines must end in CRLF'] : null;
}

export class GuardedSmtpServer extends SMTPServer {
  readonly #extra: GuardedSmtpServerOptions;
  readonly #guards: Map<string, ConnectionGuard>;

  constructor(options: SMTPServerOptions, extra: GuardedSmtpServerOptions = {}) {
    super(options);
    this.#extra = extra;
    this.#guards = extra.guards ?? new Map();
  }

  override connect(socket: Socket | TLSSocket, socketOptions?: Parameters<SMTPServer['connect']>[1]): void {
    super.connect(socket, socketOptions);
    // super.connect() adds the new connection last and sends nothing before returning (the greeting waits at least
    // for the next turn of the event loop, see the patch).
    let newest: Connection | undefined;
    for (const connection of this.connections) newest = connection as unknown as Connection;
    if (!newest) return;
    this.#mapReplies(newest);
    this.#guard(newest, socket);
  }

  /**
   * Implicit TLS: the handshake before connect() must finish within commandTimeoutMs, or it is ended the way
   * smtp-server ends one that idles: by destroying the TLS socket (never the socket under it, which would tear the
   * TLS wrap down from below).
   */
  override _upgrade(socket: Socket, callback: Parameters<SMTPServer['_upgrade']>[1]): void {
    let timer: NodeJS.Timeout | undefined;
    super._upgrade(socket, (err, tlsSocket) => {
      clearTimeout(timer);
      callback(err, tlsSocket);
    });
    const limits = this.#extra.limits;
    const handshaking = this._pendingSockets.get(socket);
    if (!limits || !handshaking || handshaking === socket) return;
    timer = setTimeout(() => {
      const err = Object.assign(new Error('TLS handshake took too long'), { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
      handshaking.destroy(err);
    }, limits.commandTimeoutMs);
    timer.unref();
  }

  #guard(connection: Connection, socket: Socket | TLSSocket): void {
    const { limits } = this.#extra;
    if (!limits) return;
    const guard = new ConnectionGuard(connection, limits);
    guard.watch(socket);
    this.#guards.set(connection.id, guard);
    socket.once('close', () => {
      guard.stop();
      this.#guards.delete(connection.id);
    });
  }

  #mapReplies(connection: Connection): void {
    const original = connection.send.bind(connection);
    const mode = this.#extra.mode;
    connection.send = (code: number, data?: string | string[] | null, context?: SendContext) => {
      if (typeof data === 'string' && ENHANCED_PREFIX.test(data)) return original(code, data, false);
      if (code === 500 && context === 'AUTH') {
        if (mode === 'mx') return original(502, '5.5.1 AUTH not available: this is a mail exchanger', false);
        if (mode === 'submission' && !connection.secure) {
          return original(530, '5.7.0 Must issue a STARTTLS command first', false);
        }
      }
      return original(code, data, context);
    };
  }
}
