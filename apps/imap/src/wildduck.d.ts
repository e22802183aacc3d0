/**
 * The parts of wildduck's imap-core (no type definitions upstream) that Mailyard uses. Loaded through
 * createRequire in imap-core.ts; shapes follow imap-core/lib/imap-server.js, imap-connection.js and commands/*.
 */
declare module 'wildduck/imap-core' {
  import type { EventEmitter } from 'node:events';
  import type { Server, Socket } from 'node:net';
  import type { Writable } from 'node:stream';

  /** A parsed command attribute: atoms, strings, literals, sequences; arrays are parenthesised lists. */
  export type ImapAttribute =
    | {
        type: string;
        value: string | Buffer;
        section?: ImapAttribute[];
        partial?: number[];
        sensitive?: boolean;
      }
    | ImapAttribute[]
    | string
    | null;

  export interface ParsedCommand {
    tag: string;
    command: string;
    attributes: ImapAttribute[];
  }

  export interface ImapResponse {
    tag: string;
    command: string;
    attributes: unknown[];
    compiled?: string | Buffer;
  }

  export interface CommandResult {
    response: 'OK' | 'NO' | 'BAD';
    code?: string | false;
    message?: string | false;
  }

  export type CommandCallback = (err: Error | null, result?: CommandResult) => void;

  export interface CommandModule {
    state?: string | string[];
    schema?: unknown;
    disableNotifications?: boolean;
    handler(this: ImapConnection, command: ParsedCommand, callback: CommandCallback, next: () => void): void;
  }

  export interface FetchQueryItem {
    query: string;
    item: string;
    original: { type: string; value: string; section?: ImapAttribute[]; partial?: number[] };
    path?: string;
    type?: string;
    headers?: string[];
    isLiteral?: boolean;
    partial?: { startFrom: number; maxLength: number };
  }

  export interface Notification {
    command: 'EXISTS' | 'EXPUNGE' | 'FETCH';
    uid: number;
    modseq?: number;
    flags?: string[];
    ignore?: string;
  }

  export interface SelectedState {
    modifyIndex: number;
    uidList: number[];
    notifications: Notification[];
    condstoreEnabled: boolean;
    readOnly: boolean;
    mailbox: unknown;
    path: string;
  }

  export interface ImapSession {
    id: string;
    user?: { id: string; username: string };
    selected: SelectedState | false;
    remoteAddress: string;
    writeStream: Writable & { connection: ImapConnection };
    formatResponse(command: string, uid: number, data?: unknown): ImapResponse | false;
    isUTF8Enabled(): boolean;
  }

  export interface ImapConnection extends EventEmitter {
    id: string;
    secure: boolean;
    state: string;
    session: ImapSession;
    selected: SelectedState | false;
    condstoreEnabled: boolean;
    acceptUTF8Enabled?: boolean;
    idling: boolean;
    remoteAddress: string;
    writeStream: Writable;
    user?: { id: string; username: string };
    _server: ImapServerInstance;
    _socket: Socket;
    _parser: Writable | false;
    _nextHandler: ((token: string, next: () => void) => void) | false;
    send(payload: string, callback?: () => void): void;
    close(force?: boolean): void;
    formatResponse(command: string, uid: number, data?: unknown): ImapResponse | false;
    emitNotifications(): void;
  }

  export interface ImapServerInstance extends EventEmitter {
    options: Record<string, unknown>;
    server: Server;
    connections: Set<ImapConnection>;
    logger: unknown;
    notifier: unknown;
    loggelf: (message: unknown) => void;
    listen(port: number, host: string, callback?: () => void): void;
    close(callback: () => void): void;
    [hook: `on${string}`]: unknown;
  }

  export const IMAPServer: new (options: Record<string, unknown>) => ImapServerInstance;

  export const imapHandler: {
    parser(payload: string, options?: { literals?: Buffer[] }): ParsedCommand;
    compiler(response: unknown, asArray?: boolean, isLogging?: boolean): string;
    compileStream(response: unknown): NodeJS.ReadableStream;
  };
}
