// Validates a parsed script against the grammar table (grammar.ts): require'd capabilities (RFC 5228 §3.2), known
// commands and tests, tagged arguments and their values (§2.6.2), positional arguments, test lists and blocks,
// elsif/else placement (§3.1), comparators, relational operators, date parts, variable names, constant regexes
// and redirect addresses. Annotates each node with its tags and positional arguments, and decodes encoded
// characters when "encoded-character" is required (RFC 5228 §2.4.2.4).

import { mailboxAddress } from './address.js';
import type { Argument, CommandNode, ScriptNode, TestNode } from './ast.js';
import { type Position, SieveSyntaxError } from './errors.js';
import { CAPABILITIES, COMMANDS, COMPARATORS, DATE_PARTS, IMPLIED, RELATIONS, type Spec, TESTS } from './grammar.js';
import { DEFAULT_LIMITS, type SieveLimits } from './limits.js';
import { compileRegex, RegexError } from './regex.js';
import { decodeEncodedCharacters, EncodedCharacterError, hasVariables, VARIABLE_NAME } from './strings.js';

/** A script that parsed and validated, ready to run. */
export interface CompiledScript {
  commands: CommandNode[];
  /** The capabilities the script require'd (implied ones included). */
  capabilities: ReadonlySet<string>;
}

const SUPPORTED = new Set<string>(CAPABILITIES);

export function validateScript(script: ScriptNode, limits: SieveLimits = DEFAULT_LIMITS): CompiledScript {
  const capabilities = collectRequires(script.commands);
  const validator = new Validator(capabilities, limits);
  validator.block(script.commands, true);
  return { commands: script.commands, capabilities };
}

function fail(reason: string, pos: Position): never {
  throw new SieveSyntaxError(reason, pos);
}

/** require must come before every other command (RFC 5228 §3.2); unknown capabilities are errors. */
function collectRequires(commands: CommandNode[]): Set<string> {
  const capabilities = new Set<string>();
  let leading = true;
  for (const command of commands) {
    if (command.name !== 'require') {
      leading = false;
      continue;
    }
    if (!leading) fail('"require" must come before any other command', command.pos);
    const arg = command.args[0];
    if (command.args.length !== 1 || arg?.kind !== 'strings') fail('"require" takes one string list', command.pos);
    for (const name of arg.values) {
      const capability = name.toLowerCase();
      if (!SUPPORTED.has(capability)) fail(`unsupported extension "${name}"`, arg.pos);
      capabilities.add(capability);
      for (const implied of IMPLIED[capability] ?? []) capabilities.add(implied);
    }
  }
  return capabilities;
}

class Validator {
  private readonly encoded: boolean;
  private readonly variables: boolean;

  constructor(
    private readonly capabilities: Set<string>,
    private readonly limits: SieveLimits,
  ) {
    this.encoded = capabilities.has('encoded-character');
    this.variables = capabilities.has('variables');
  }

  private need(ext: string | undefined, what: string, pos: Position): void {
    if (ext && !this.capabilities.has(ext)) fail(`${what} needs require "${ext}"`, pos);
  }

  block(commands: CommandNode[], topLevel: boolean): void {
    let previous = '';
    for (const command of commands) {
      if (command.name === 'require' && !topLevel) fail('"require" is allowed only at the top level', command.pos);
      if ((command.name === 'elsif' || command.name === 'else') && previous !== 'if' && previous !== 'elsif') {
        fail(`"${command.name}" must follow "if" or "elsif"`, command.pos);
      }
      this.command(command);
      previous = command.name;
    }
  }

  private command(command: CommandNode): void {
    const spec = COMMANDS[command.name];
    if (!spec) fail(`unknown command "${command.name}"`, command.pos);
    this.need(spec.ext, `command "${command.name}"`, command.pos);
    this.node(command, spec, 'command');
    if (spec.block && command.block === null) fail(`"${command.name}" needs a block`, command.pos);
    if (!spec.block && command.block !== null) fail(`"${command.name}" takes no block`, command.pos);
    if (command.block) this.block(command.block, false);
    this.checkCommand(command);
  }

  private test(test: TestNode): void {
    const spec = TESTS[test.name];
    if (!spec) fail(`unknown test "${test.name}"`, test.pos);
    this.need(spec.ext, `test "${test.name}"`, test.pos);
    this.node(test, spec, 'test');
    for (const nested of test.tests) this.test(nested);
    this.checkTest(test);
  }

  /** Arguments, tags and nested tests of a command or test. */
  private node(node: TestNode, spec: Spec, what: string): void {
    if (this.encoded) decodeStrings(node.args);
    const tags = new Map<string, Argument | true>();
    const groups = new Map<string, string>();
    const positional: Argument[] = [];
    for (let i = 0; i < node.args.length; i++) {
      const arg = node.args[i] as Argument;
      if (arg.kind !== 'tag') {
        positional.push(arg);
        continue;
      }
      if (positional.length > 0) fail(`tag ":${arg.name}" must come before the positional arguments`, arg.pos);
      const tag = spec.tags[arg.name];
      if (!tag) fail(`unknown tag ":${arg.name}" for ${what} "${node.name}"`, arg.pos);
      this.need(tag.ext, `tag ":${arg.name}"`, arg.pos);
      if (tags.has(arg.name)) fail(`tag ":${arg.name}" given twice`, arg.pos);
      const other = tag.group ? groups.get(tag.group) : undefined;
      if (other) fail(`tag ":${arg.name}" cannot be combined with ":${other}"`, arg.pos);
      if (tag.group) groups.set(tag.group, arg.name);
      if (!tag.value) {
        tags.set(arg.name, true);
        continue;
      }
      const value = node.args[++i];
      if (!value || !fitsType(value, tag.value)) fail(`tag ":${arg.name}" needs ${typeName(tag.value)}`, arg.pos);
      tags.set(arg.name, value);
    }
    this.positional(node, spec, positional, what);
    for (const group of spec.requiredGroups ?? []) {
      if (!groups.has(group)) fail(`${what} "${node.name}" needs ${groupTags(spec, group)}`, node.pos);
    }
    this.nestedTests(node, spec, what);
    node.tags = tags;
    node.positional = positional;
  }

  private positional(node: TestNode, spec: Spec, positional: Argument[], what: string): void {
    const max = spec.positional.length;
    const min = spec.minPositional ?? max;
    if (positional.length < min || positional.length > max) {
      const wanted = min === max ? `${max}` : `${min} or ${max}`;
      fail(`${what} "${node.name}" takes ${wanted} positional argument(s), found ${positional.length}`, node.pos);
    }
    const types = spec.positional.slice(max - positional.length);
    positional.forEach((arg, i) => {
      const type = types[i] as 'string' | 'strings' | 'number';
      if (!fitsType(arg, type)) fail(`${what} "${node.name}" expects ${typeName(type)} here`, arg.pos);
    });
  }

  private nestedTests(node: TestNode, spec: Spec, what: string): void {
    if (spec.tests === 'one' && (node.tests.length !== 1 || node.testList)) {
      fail(`${what} "${node.name}" needs one test`, node.pos);
    }
    if (spec.tests === 'list' && !node.testList)
      fail(`${what} "${node.name}" needs a test list in parentheses`, node.pos);
    const stray = node.tests[0];
    if (!spec.tests && stray && what === 'command' && !node.testList) {
      // A forgotten ";" makes the next command parse as a test of this one (RFC 5228 §8.2 grammar).
      fail(`expected ";" after command "${node.name}", found "${stray.name}"`, stray.pos);
    }
    if (!spec.tests && stray) fail(`${what} "${node.name}" takes no test`, node.pos);
  }

  private checkCommand(command: CommandNode): void {
    for (const test of command.tests) this.test(test);
    const first = stringArg(command.positional?.[0]);
    if (command.name === 'set' && first !== null && !VARIABLE_NAME.test(first)) {
      fail(`invalid variable name "${first}"`, command.positional?.[0]?.pos ?? command.pos);
    }
    if (command.name === 'global') {
      for (const name of (command.positional?.[0] as { values: string[] } | undefined)?.values ?? []) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(`invalid variable name "${name}"`, command.pos);
      }
    }
    if (command.name === 'redirect' && first !== null && !this.dynamic(first) && !mailboxAddress(first)) {
      fail(`invalid redirect address "${first}"`, command.positional?.[0]?.pos ?? command.pos);
    }
    if (command.name === 'vacation') this.checkVacationAddresses(command);
    if (command.name === 'include' && first !== null && (first === '' || /[/\\\0]/.test(first))) {
      fail(`invalid script name "${first}"`, command.pos);
    }
  }

  /** RFC 5230 §4.4-4.5: :from and :addresses must be addresses (checked when they hold no variables). */
  private checkVacationAddresses(command: CommandNode): void {
    const from = command.tags?.get('from');
    const addresses = command.tags?.get('addresses');
    const values = [
      ...(from && from !== true && from.kind === 'strings' ? from.values : []),
      ...(addresses && addresses !== true && addresses.kind === 'strings' ? addresses.values : []),
    ];
    for (const value of values) {
      if (!this.dynamic(value) && !mailboxAddress(value)) fail(`invalid vacation address "${value}"`, command.pos);
    }
  }

  private checkTest(test: TestNode): void {
    if (test.name === 'hasflag' && test.positional?.length === 2 && !this.variables) {
      fail('hasflag with a variable list needs require "variables" (RFC 5232 §4)', test.pos);
    }
    const tags = test.tags as Map<string, Argument | true>;
    const comparatorArg = tags.get('comparator');
    const comparator = comparatorArg === undefined ? 'i;ascii-casemap' : stringArg(comparatorArg as Argument);
    if (comparator !== null && comparatorArg !== undefined) this.checkComparator(comparator, test, tags);
    for (const tag of ['count', 'value']) {
      const relation = tags.get(tag);
      if (relation !== undefined) {
        const op = stringArg(relation as Argument);
        if (op !== null && !RELATIONS.has(op.toLowerCase())) fail(`invalid relational operator "${op}"`, test.pos);
      }
    }
    if (test.name !== 'duplicate' && tags.has('last') && !tags.has('index')) fail('":last" needs ":index"', test.pos);
    const index = tags.get('index');
    if (index !== undefined && (index as { value: number }).value < 1) fail('":index" counts from 1', test.pos);
    if (test.name === 'date' || test.name === 'currentdate') this.checkDatePart(test);
    if (tags.has('regex')) this.checkRegexKeys(test, comparator);
  }

  private checkComparator(name: string, test: TestNode, tags: Map<string, Argument | true>): void {
    const lower = name.toLowerCase();
    if (!(lower in COMPARATORS)) fail(`unknown comparator "${name}"`, test.pos);
    this.need(COMPARATORS[lower] ?? undefined, `comparator "${name}"`, test.pos);
    if (lower === 'i;ascii-numeric' && (tags.has('contains') || tags.has('matches') || tags.has('regex'))) {
      fail('comparator "i;ascii-numeric" supports only :is, :count and :value (RFC 4790 §9.1)', test.pos);
    }
  }

  private checkDatePart(test: TestNode): void {
    const arg = test.positional?.[test.name === 'date' ? 1 : 0];
    const part = stringArg(arg);
    if (part !== null && !this.dynamic(part) && !DATE_PARTS.has(part.toLowerCase())) {
      fail(`unknown date part "${part}"`, arg?.pos ?? test.pos);
    }
  }

  /** Constant :regex keys are compiled now, so a bad or too long pattern is a validation error with a position. */
  private checkRegexKeys(test: TestNode, comparator: string | null): void {
    const keys = test.positional?.at(-1);
    if (keys?.kind !== 'strings') return;
    for (const key of keys.values) {
      if (this.dynamic(key)) continue;
      try {
        compileRegex(key, comparator === 'i;ascii-casemap', this.limits.maxRegexLength);
      } catch (err) {
        if (err instanceof RegexError) fail(err.message, keys.pos);
        throw err;
      }
    }
  }

  private dynamic(text: string): boolean {
    return this.variables && hasVariables(text);
  }
}

function decodeStrings(args: Argument[]): void {
  for (const arg of args) {
    if (arg.kind !== 'strings') continue;
    try {
      arg.values = arg.values.map(decodeEncodedCharacters);
    } catch (err) {
      if (err instanceof EncodedCharacterError) fail(err.message, arg.pos);
      throw err;
    }
  }
}

function fitsType(arg: Argument, type: 'string' | 'strings' | 'number'): boolean {
  if (type === 'number') return arg.kind === 'number';
  if (arg.kind !== 'strings') return false;
  return type === 'strings' || !arg.list;
}

function typeName(type: 'string' | 'strings' | 'number'): string {
  return type === 'number' ? 'a number' : type === 'string' ? 'a string' : 'a string list';
}

function groupTags(spec: Spec, group: string): string {
  const names = Object.entries(spec.tags).filter(([, tag]) => tag.group === group);
  return names.map(([name]) => `:${name}`).join(' or ');
}

function stringArg(arg: Argument | undefined): string | null {
  return arg?.kind === 'strings' && !arg.list ? (arg.values[0] ?? null) : null;
}
