/**
 * The parts of wildduck's POP3 server (no type definitions upstream) that Mailyard uses. Shapes follow
 * wildduck/lib/pop3/server.js and connection.js (wildduck 1.46); loaded through createRequire in wildduck-pop3.ts.
 */
declare module 'wildduck/lib/pop3/server' {
  import type { EventEmitter } from 'node:events';
  import type { Server, Socket } from 'node:net';
  import type { Readable } from 'node:stream';

  /** One maildrop entry (RFC 1939 §5): `id` is the UIDL value, `popped` marks DELE, `fetched` marks RETR. */
  export interface Pop3ListedMessage {
    id: string;
    uid: number;
    mailbox: string;
    size: number;
    seen: boolean;
    popped?: boolean;
    fetched?: boolean;
  }

  export interface Pop3Listing {
    messages: Pop3ListedMessage[];
    count: number;
    size: number;
  }

  export interface Pop3User {
    id: string;
    username: string;
  }

  /** Per-connection state; `session.id` is the connection id. Set to false/null once the connection ends. */
  export interface Pop3Session {
    id: string;
    state: 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';
    remoteAddress: string;
    user?: Pop3User | string | false;
    listing?: Pop3Listing;
  }

  export interface Pop3AuthRequest {
    method: 'USER' | 'PLAIN';
    username: string;
    password: string;
  }

  export interface Pop3Update {
    deleted: Pop3ListedMessage[];
    seen: Pop3ListedMessage[];
  }

  export type Pop3Callback<T = void> = (err: Error | null, result?: T) => void;

  export type OnAuth = (
    auth: Pop3AuthRequest,
    session: Pop3Session,
    callback: Pop3Callback<{ user?: Pop3User; message?: string }>,
  ) => void;
  export type OnListMessages = (session: Pop3Session, callback: Pop3Callback<Pop3Listing>) => void;
  export type OnFetchMessage = (
    message: Pop3ListedMessage,
    session: Pop3Session,
    callback: Pop3Callback<Readable>,
  ) => void;
  export type OnUpdate = (update: Pop3Update, session: Pop3Session, callback: (err?: Error | null) => void) => void;

  export interface Pop3Logger {
    info(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    error(...args: unknown[]): void;
  }

  export interface Pop3ServerOptions {
    secure?: boolean;
    key?: string;
    cert?: string;
    /** Offer USER/AUTH without TLS (STLS is still offered). */
    ignoreSTARTTLS?: boolean;
    disableSTARTTLS?: boolean;
    disableVersionString?: boolean;
    id?: { name?: string; version?: string };
    /** Inactivity before the connection ends (ms). */
    socketTimeout?: number;
    /** How long close() waits for open connections before ending them (ms). */
    closeTimeout?: number;
    logger?: Pop3Logger | false;
    component?: string;
    onAuth?: OnAuth;
    onListMessages?: OnListMessages;
    onFetchMessage?: OnFetchMessage;
    onUpdate?: OnUpdate;
  }

  class POP3Server extends EventEmitter {
    constructor(options: Pop3ServerOptions);
    options: Pop3ServerOptions;
    server: Server;
    connections: Set<unknown>;
    logger: Pop3Logger;
    onAuth: OnAuth;
    onListMessages: OnListMessages;
    onFetchMessage: OnFetchMessage;
    onUpdate: OnUpdate;
    /** Not set by the constructor: wildduck's RETR, TOP and QUIT call it and throw when it is missing. */
    loggelf(message: Record<string, unknown>): void;
    connect(socket: Socket, socketOptions: { id: string; remoteAddress?: string; ignore?: boolean }): void;
    _onError(err: Error): void;
    /** Starts TLS on `socket` (implicit-TLS accept and STLS); calls back once, with the TLS socket or an error. */
    _upgrade(socket: Socket, callback: (err: Error | null, tlsSocket?: Socket) => void): void;
    listen(port: number, host: string, callback?: () => void): void;
    close(callback?: () => void): void;
  }
  export = POP3Server;
}

declare module 'wildduck/lib/pop3/connection' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';
  import type POP3Server from 'wildduck/lib/pop3/server';
  import type { Pop3Logger, Pop3Session } from 'wildduck/lib/pop3/server';

  type CommandDone = (err?: Error | null) => void;

  class POP3Connection extends EventEmitter {
    constructor(server: POP3Server, socket: Socket, options: { id: string; remoteAddress?: string; ignore?: boolean });
    id: string;
    remoteAddress: string;
    secured: boolean;
    /** false after QUIT, null once the connection closed. */
    session: Pop3Session | false | null;
    logger: Pop3Logger;
    /** Complete lines received and not yet processed (RFC 2449 §6.6 pipelining). */
    queue: string[];
    /** Bytes received after the last line break: the start of the next line. */
    _remainder: string;
    /** True while a read or the processing of received lines is under way ('readable' events wait for it). */
    processing: boolean;
    /** Reads what the socket holds into lines and processes them. */
    read(): void;
    /** Set while a command waits for a continuation line (AUTH PLAIN without an initial response). */
    _nextHandler: ((line: string, done: CommandDone) => void) | null | undefined;
    _server: POP3Server;
    _socket: Socket;
    init(): void;
    /** Writes raw bytes to the socket (no CRLF added). */
    write(payload: string | Buffer): void;
    send(payload: string | string[]): void;
    close(): void;
    processQueue(): void;
    /** AUTH PLAIN's credentials (RFC 4616 message, base64), from the command or its continuation line. */
    authPlain(plain: string, done: CommandDone): void;
    [command: `command_${string}`]: ((args: string, done: CommandDone) => void) | undefined;
  }
  export = POP3Connection;
}
