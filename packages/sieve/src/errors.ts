// Errors of the Sieve engine, by who is at fault (@mailyard/errors): a script that does not parse or validate is
// a syntax error of its author (ManageSieve NO, HTTP 400) and always carries the line and column where it went
// wrong; a runtime error (RFC 5228 §2.10.6) is the script's fault too, and never escapes a run: the outcome
// records it and falls back to implicit keep.

import { InputSyntaxError, UserError } from '@mailyard/errors';

/** Where something sits in the script: 1-based line and column (columns count UTF-16 code units). */
export interface Position {
  line: number;
  column: number;
}

/** The script does not parse or does not validate. `message` starts with "line L, column C: ". */
export class SieveSyntaxError extends InputSyntaxError {
  readonly line: number;
  readonly column: number;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(reason: string, position: Position) {
    super(`line ${position.line}, column ${position.column}: ${reason}`, { code: 'SIEVE_SYNTAX' });
    this.line = position.line;
    this.column = position.column;
    this.reason = reason;
  }
}

/** A failure while running a valid script (a limit, conflicting actions, a missing include). */
export class SieveRuntimeError extends UserError {
  readonly line: number;
  readonly column: number;

  constructor(reason: string, position: Position) {
    super(`line ${position.line}, column ${position.column}: ${reason}`, { code: 'SIEVE_RUNTIME' });
    this.line = position.line;
    this.column = position.column;
  }
}
