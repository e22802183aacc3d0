/**
 * The contract between the protocol core and a command file (one file per command in src/commands/). The core
 * parses, checks the state, runs `run`, maps a thrown error to a tagged NO/BAD through @mailyard/errors
 * (toImapResponse) and sends the tagged line. A command never writes its own tagged line.
 */
import type { ParsedCommand, SessionState, TaggedResult, Token } from './types.js';

/** What a running command may do on the wire. Every write waits while the client is not reading. */
export interface CommandIo {
  /** Sends one untagged response; `text` is without the leading `* `. Parts are joined (for literals). */
  untagged(text: string | Array<string | Buffer>): Promise<void>;
  /** Sends many untagged responses in one write (FETCH of many messages). */
  untaggedLines(lines: Array<string | Buffer>): Promise<void>;
  /** Writes already formatted response bytes (each line with its `* ` and CRLF) in one write. */
  raw(parts: Array<string | Buffer>): Promise<void>;
  /** Sends `+ text` and resolves with the client's next line, without CRLF (AUTHENTICATE, IDLE's DONE). */
  continuation(text: string): Promise<Buffer>;
  /**
   * Resolves when the client sends a line while the command waits (IDLE): the same as continuation() but
   * without sending `+` first.
   */
  nextLine(): Promise<Buffer>;
}

export interface CommandCall<S> {
  tag: string;
  name: string;
  args: Token[];
  session: S;
  io: CommandIo;
}

/** The literal limit a command's literals are held to: the message size (APPEND) or the other-literal limit. */
export type LiteralClass = 'message' | 'other';

export interface Command<S> {
  /** Upper case; `UID FETCH` style for UID variants. */
  name: string;
  /** States the command is valid in (RFC 9051 §6); elsewhere it answers BAD. */
  states: readonly SessionState[];
  /** RFC 3501 §7.4.1 / RFC 9051 §7.5.1: FETCH, STORE and SEARCH (not their UID forms) may not be followed by EXPUNGE. */
  forbidsExpunge?: boolean;
  /** Which limit this command's literals are held to (default 'other'). */
  literals?: LiteralClass;
  /** Runs the command. Returns the tagged result, or undefined for `OK <NAME> completed`; throws to fail. */
  run(call: CommandCall<S>): Promise<TaggedResult | undefined>;
}

export type { ParsedCommand, SessionState, TaggedResult, Token };
