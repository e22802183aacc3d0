// Sieve parser (RFC 5228 §8.2): commands, arguments, tests, test lists and blocks, into the tree of ast.ts. It
// stops at the first error and reports its line and column. Nesting depth and script size are bounded by the
// limits (limits.ts) before any recursion can grow.

import type { Argument, CommandNode, ScriptNode, StringsArgument, TestNode } from './ast.js';
import { type Position, SieveSyntaxError } from './errors.js';
import { Lexer, type Token } from './lexer.js';
import { DEFAULT_LIMITS, type SieveLimits } from './limits.js';

type ParseLimits = Pick<SieveLimits, 'maxScriptBytes' | 'maxNestingDepth'>;

/** Parses a script. Throws SieveSyntaxError with the position of the first error. */
export function parseScript(text: string, limits: ParseLimits = DEFAULT_LIMITS): ScriptNode {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxScriptBytes) {
    throw new SieveSyntaxError(`script is ${bytes} bytes, over the limit of ${limits.maxScriptBytes}`, {
      line: 1,
      column: 1,
    });
  }
  return new Parser(text, limits.maxNestingDepth).script();
}

class Parser {
  private readonly lexer: Lexer;
  private token: Token;

  constructor(
    text: string,
    private readonly maxDepth: number,
  ) {
    this.lexer = new Lexer(text);
    this.token = this.lexer.next();
  }

  script(): ScriptNode {
    const commands = this.commands(0);
    if (this.token.kind !== 'eof') this.fail(`unexpected ${describe(this.token)}`);
    return { commands };
  }

  private fail(reason: string, pos: Position = this.token.pos): never {
    throw new SieveSyntaxError(reason, pos);
  }

  private shift(): Token {
    const token = this.token;
    this.token = this.lexer.next();
    return token;
  }

  private isPunct(c: string): boolean {
    return this.token.kind === 'punct' && this.token.text === c;
  }

  private expectPunct(c: string, what: string): void {
    if (!this.isPunct(c)) this.fail(`expected ${what}, found ${describe(this.token)}`);
    this.shift();
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
  }

  private commands(depth: number): CommandNode[] {
    const commands: CommandNode[] = [];
    while (this.token.kind === 'identifier') commands.push(this.command(depth));
    return commands;
  }

  /** command = identifier arguments (";" / block) */
  private command(depth: number): CommandNode {
    const name = this.shift();
    const node = this.arguments(name, depth) as CommandNode;
    node.block = null;
    if (this.isPunct(';')) {
      this.shift();
      return node;
    }
    if (!this.isPunct('{'))
      this.fail(`expected ";" or "{" after command "${name.text}", found ${describe(this.token)}`);
    this.checkDepth(depth + 1);
    this.shift();
    node.block = this.commands(depth + 1);
    this.expectPunct('}', '"}" to close the block');
    return node;
  }

  /** arguments = *argument [ test / test-list ] */
  private arguments(name: Token, depth: number): TestNode {
    const args: Argument[] = [];
    for (;;) {
      const arg = this.argument();
      if (!arg) break;
      args.push(arg);
    }
    const node: TestNode = { name: name.text, args, tests: [], testList: false, pos: name.pos };
    if (this.token.kind === 'identifier') {
      this.checkDepth(depth + 1);
      node.tests = [this.test(depth + 1)];
    } else if (this.isPunct('(')) {
      this.checkDepth(depth + 1);
      node.tests = this.testList(depth + 1);
      node.testList = true;
    }
    return node;
  }

  private argument(): Argument | null {
    const token = this.token;
    if (token.kind === 'number') {
      this.shift();
      return { kind: 'number', value: token.value, pos: token.pos };
    }
    if (token.kind === 'tag') {
      this.shift();
      return { kind: 'tag', name: token.text, pos: token.pos };
    }
    if (token.kind === 'string') {
      this.shift();
      return { kind: 'strings', values: [token.text], list: false, pos: token.pos };
    }
    if (this.isPunct('[')) return this.stringList();
    return null;
  }

  /** string-list = "[" string *("," string) "]" */
  private stringList(): StringsArgument {
    const pos = this.shift().pos;
    const values: string[] = [];
    for (;;) {
      if (this.token.kind !== 'string') this.fail(`expected a string in the list, found ${describe(this.token)}`);
      values.push(this.shift().text);
      if (this.isPunct(']')) break;
      this.expectPunct(',', '"," or "]" in the string list');
    }
    this.shift();
    return { kind: 'strings', values, list: true, pos };
  }

  private test(depth: number): TestNode {
    if (this.token.kind !== 'identifier') this.fail(`expected a test, found ${describe(this.token)}`);
    return this.arguments(this.shift(), depth);
  }

  /** test-list = "(" test *("," test) ")" */
  private testList(depth: number): TestNode[] {
    this.shift();
    const tests: TestNode[] = [];
    for (;;) {
      tests.push(this.test(depth));
      if (this.isPunct(')')) break;
      this.expectPunct(',', '"," or ")" in the test list');
    }
    this.shift();
    return tests;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of script';
    case 'identifier':
      return `"${token.text}"`;
    case 'tag':
      return `":${token.text}"`;
    case 'number':
      return `number ${token.value}`;
    case 'string':
      return 'a string';
    default:
      return `"${token.text}"`;
  }
}
