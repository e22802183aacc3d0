/**
 * The types of Mailyard's IMAP protocol layer (RFC 9051 §9, RFC 3501 §9 grammar), shared by the parser, the
 * connection and every command file. The parser is generic: it turns one command (its line pieces and literals)
 * into a tag, a command name and a list of tokens; each command file validates its own arguments. So an
 * extension (RETURN (...) options, SORT criteria, literal8) needs a command file, never a parser change.
 * See README.md beside this file for how a command is written and registered.
 */

/** A bare atom (RFC 9051 §9 atom, astring-char, list-char, and fetch attributes such as `BODY[1.MIME]<0.10>`). */
export interface AtomToken {
  type: 'atom';
  /** The atom's bytes decoded as UTF-8 (8-bit bytes only reach here when a command allows them). */
  value: string;
  /** The atom's raw bytes. */
  raw: Buffer;
}

/** A quoted string (RFC 9051 §9 quoted), unescaped. */
export interface StringToken {
  type: 'string';
  value: Buffer;
}

/** A literal `{n}` / `{n+}` (RFC 7888) or a literal8 `~{n}` (RFC 3516 BINARY, `binary` true). */
export interface LiteralToken {
  type: 'literal';
  value: Buffer;
  binary: boolean;
}

/** A parenthesised list. */
export interface ListToken {
  type: 'list';
  items: Token[];
}

export type Token = AtomToken | StringToken | LiteralToken | ListToken;

/** One command as the parser hands it to the dispatcher. */
export interface ParsedCommand {
  tag: string;
  /** Upper-cased command name; `UID FETCH`, `UID STORE` ... are one name. */
  name: string;
  args: Token[];
}

/** RFC 9051 §3: the connection states. */
export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

/** The tagged completion of a command (RFC 9051 §7.1). */
export interface TaggedResult {
  status: 'OK' | 'NO' | 'BAD';
  /** Response code without brackets, e.g. `APPENDUID 1 2`, `TRYCREATE`. */
  code?: string;
  text: string;
}
