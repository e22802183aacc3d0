// The syntax tree the parser builds (RFC 5228 §8.2 grammar) and the validator annotates. Names of commands, tests
// and tags are lowercased: Sieve identifiers are case-insensitive (RFC 5228 §2.3 and §8.1).

import type { Position } from './errors.js';

/** A string list; a single string is a list of one with `list` false (RFC 5228 §2.4.2.1). */
export interface StringsArgument {
  kind: 'strings';
  values: string[];
  list: boolean;
  pos: Position;
}

/** A number with its K/M/G quantifier applied (RFC 5228 §2.4.1). */
export interface NumberArgument {
  kind: 'number';
  value: number;
  pos: Position;
}

/** A tagged argument such as `:contains`, without the colon (RFC 5228 §2.6.2). */
export interface TagArgument {
  kind: 'tag';
  name: string;
  pos: Position;
}

export type Argument = StringsArgument | NumberArgument | TagArgument;

/** A test with its arguments; `tests` holds the nested tests of allof/anyof/not (RFC 5228 §5). */
export interface TestNode {
  name: string;
  args: Argument[];
  tests: TestNode[];
  /** True when the nested tests were written as a parenthesised test-list. */
  testList: boolean;
  pos: Position;
  /** Filled by the validator: tags by name (true for a tag without a value) and positional arguments. */
  tags?: Map<string, Argument | true>;
  positional?: Argument[];
}

export interface CommandNode extends TestNode {
  /** The block after the command, or null when it ended with ";" (RFC 5228 §2.9). */
  block: CommandNode[] | null;
}

/** A parsed script: its commands in order. */
export interface ScriptNode {
  commands: CommandNode[];
}
