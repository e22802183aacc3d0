// Runs a compiled script against a message (RFC 5228 §2.10): commands in order, if/elsif/else, stop, the actions
// of every supported extension, imap4flags state (RFC 5232 §3), variables (RFC 5229 §4), include/return/global
// (RFC 6609 §3). Any runtime error (a limit, conflicting actions, a missing include, a bad address) ends the run
// with implicit keep alone (RFC 5228 §2.10.6). No I/O: everything outside comes through SieveContext.

import { createHash } from 'node:crypto';
import type { RE2JS } from 're2js';
import { ActionList, type DuplicateRecord, failedOutcome, type SieveOutcome } from './actions.js';
import { mailboxAddress } from './address.js';
import type { Argument, CommandNode } from './ast.js';
import { type Position, SieveRuntimeError, SieveSyntaxError } from './errors.js';
import type { SieveLimits } from './limits.js';
import type { ScriptLocation, SieveContext, SieveMessage } from './message.js';
import { parseScript } from './parser.js';
import { compileRegex, RegexError } from './regex.js';
import { applyModifiers, asciiLower } from './strings.js';
import { evaluate, type Runtime } from './tests.js';
import { type CompiledScript, validateScript } from './validator.js';
import { Scope } from './variables.js';

class StopSignal {}
class ReturnSignal {}

const MODIFIERS = ['lower', 'upper', 'lowerfirst', 'upperfirst', 'quotewildcard', 'quoteregex', 'length'];

export class Interpreter implements Runtime {
  scope: Scope;
  private steps = 0;
  private readonly actions: ActionList;
  private readonly globals = new Map<string, string>();
  private internalFlags: string[] = [];
  private readonly duplicates = new Map<string, DuplicateRecord & { seen: boolean }>();
  private readonly includeCache = new Map<string, CompiledScript>();
  private readonly included = new Set<string>();
  private readonly includeStack: string[] = [];
  private includes = 0;
  private readonly foldCache = new Map<string, string>();
  private capabilities: ReadonlySet<string>;

  constructor(
    private readonly script: CompiledScript,
    readonly message: SieveMessage,
    readonly context: SieveContext,
    readonly limits: SieveLimits,
  ) {
    this.actions = new ActionList(limits);
    this.capabilities = script.capabilities;
    this.scope = new Scope(this.globals, limits, script.capabilities.has('variables'));
  }

  run(): SieveOutcome {
    try {
      this.block(this.script.commands);
    } catch (err) {
      if (err instanceof SieveRuntimeError) return failedOutcome(err, this.steps);
      if (!(err instanceof StopSignal || err instanceof ReturnSignal)) throw err;
    }
    const duplicates = [...this.duplicates.values()].map(({ key, seconds }) => ({ key, seconds }));
    return { actions: this.actions.finish([...this.internalFlags]), error: null, duplicates, steps: this.steps };
  }

  tick(pos: Position): void {
    if (++this.steps > this.limits.maxSteps)
      throw new SieveRuntimeError(`more than ${this.limits.maxSteps} steps`, pos);
  }

  regex(key: string, caseless: boolean, pos: Position): RE2JS {
    try {
      return compileRegex(key, caseless, this.limits.maxRegexLength);
    } catch (err) {
      if (err instanceof RegexError) throw new SieveRuntimeError(err.message, pos);
      throw err;
    }
  }

  fold(text: string): string {
    if (text.length < 256) return asciiLower(text);
    let folded = this.foldCache.get(text);
    if (folded === undefined) {
      folded = asciiLower(text);
      this.foldCache.set(text, folded);
    }
    return folded;
  }

  flagsOf(variable: string): string[] {
    if (variable === '') return this.internalFlags;
    return splitFlags([this.scope.get(variable)]);
  }

  duplicate(key: string, seconds: number): boolean {
    const known = this.duplicates.get(key);
    if (known) return known.seen;
    const seen = this.context.duplicates?.seen(key) ?? false;
    this.duplicates.set(key, { key, seconds, seen });
    return seen;
  }

  private block(commands: CommandNode[]): void {
    let branchTaken = false;
    for (const command of commands) {
      this.tick(command.pos);
      if (command.name === 'if') branchTaken = false;
      if (command.name === 'if' || command.name === 'elsif' || command.name === 'else') {
        if (branchTaken) continue;
        if (command.name === 'else' || evaluate(this, command.tests[0] as CommandNode)) {
          branchTaken = true;
          this.block(command.block ?? []);
        }
        continue;
      }
      this.command(command);
    }
  }

  private str(arg: Argument | undefined): string {
    return arg?.kind === 'strings' ? this.scope.expand(arg.values[0] ?? '') : '';
  }

  private list(arg: Argument | undefined | true): string[] {
    return arg && arg !== true && arg.kind === 'strings' ? arg.values.map((v) => this.scope.expand(v)) : [];
  }

  private tagNumber(command: CommandNode, name: string): number | null {
    const arg = command.tags?.get(name);
    return arg && arg !== true && arg.kind === 'number' ? arg.value : null;
  }

  /** Flags for keep/fileinto: :flags when given, else the internal variable (RFC 5232 §5). */
  private flagsFor(command: CommandNode): string[] {
    if (!this.capabilities.has('imap4flags')) return [];
    const tag = command.tags?.get('flags');
    return tag === undefined ? [...this.internalFlags] : splitFlags(this.list(tag));
  }

  private command(command: CommandNode): void {
    const [first, second] = command.positional ?? [];
    const has = (tag: string) => command.tags?.has(tag) ?? false;
    switch (command.name) {
      case 'require':
        break;
      case 'stop':
        throw new StopSignal();
      case 'return':
        throw new ReturnSignal();
      case 'keep':
        this.actions.add({ type: 'keep', implicit: false, flags: this.flagsFor(command) }, command.pos);
        break;
      case 'discard':
        this.actions.add({ type: 'discard' }, command.pos);
        break;
      case 'fileinto':
        this.fileinto(command, this.str(first), has('copy'), has('create'));
        break;
      case 'redirect':
        this.redirect(command, this.str(first), has('copy'));
        break;
      case 'reject':
      case 'ereject':
        this.actions.add(
          { type: 'reject', reason: this.str(first), extended: command.name === 'ereject' },
          command.pos,
        );
        break;
      case 'vacation':
        this.vacation(command, this.str(first));
        break;
      case 'setflag':
      case 'addflag':
      case 'removeflag':
        this.flagCommand(command);
        break;
      case 'set':
        this.set(command, this.str(first), this.str(second));
        break;
      case 'global':
        for (const name of this.list(first)) this.scope.declareGlobal(name);
        break;
      case 'include':
        this.include(command, this.str(first));
        break;
      default:
        throw new SieveRuntimeError(`command "${command.name}" cannot run here`, command.pos);
    }
  }

  private fileinto(command: CommandNode, mailbox: string, copy: boolean, create: boolean): void {
    if (mailbox === '') throw new SieveRuntimeError('fileinto needs a folder name', command.pos);
    // INBOX is case-insensitive (RFC 3501 §5.1), so "inbox" is reported as the one INBOX.
    const name = mailbox.toUpperCase() === 'INBOX' ? 'INBOX' : mailbox;
    this.actions.add({ type: 'fileinto', mailbox: name, flags: this.flagsFor(command), create, copy }, command.pos);
  }

  private redirect(command: CommandNode, target: string, copy: boolean): void {
    const address = mailboxAddress(target);
    if (!address) throw new SieveRuntimeError(`invalid redirect address "${target}"`, command.pos);
    this.actions.add({ type: 'redirect', address, copy }, command.pos);
  }

  /** RFC 5230 §4: parameters resolved; :days in whole days (at least one), :seconds (RFC 6131) from 0. */
  private vacation(command: CommandNode, reason: string): void {
    const tag = (name: string) => command.tags?.get(name);
    const days = this.tagNumber(command, 'days');
    const secs = this.tagNumber(command, 'seconds');
    let seconds = this.limits.defaultVacationSeconds;
    if (days !== null) seconds = Math.max(days * 86_400, this.limits.minVacationDaysSeconds);
    if (secs !== null) seconds = secs;
    seconds = Math.min(seconds, this.limits.maxVacationSeconds);
    const subject = tag('subject') === undefined ? null : this.str(tag('subject') as Argument);
    const from = tag('from') === undefined ? null : this.str(tag('from') as Argument);
    const mime = tag('mime') !== undefined;
    const explicit = tag('handle') === undefined ? null : this.str(tag('handle') as Argument);
    const handle = explicit ?? derivedHandle(reason, subject, from, mime);
    const addresses = this.list(tag('addresses'));
    this.actions.add({ type: 'vacation', reason, subject, from, addresses, mime, handle, seconds }, command.pos);
  }

  /** RFC 5232 §3: setflag replaces, addflag adds, removeflag removes; flags are space separated, case-insensitive. */
  private flagCommand(command: CommandNode): void {
    const positional = command.positional ?? [];
    const variable = positional.length === 2 ? this.str(positional[0]) : '';
    const given = splitFlags(this.list(positional.at(-1)));
    const current = this.flagsOf(variable);
    let next: string[];
    if (command.name === 'setflag') next = given;
    else if (command.name === 'addflag') next = splitFlags([...current, ...given]);
    else next = current.filter((f) => !given.some((g) => g.toLowerCase() === f.toLowerCase()));
    if (variable === '') this.internalFlags = next;
    else this.scope.set(variable, next.join(' '), command.pos);
  }

  private set(command: CommandNode, name: string, value: string): void {
    const modifiers = new Set(MODIFIERS.filter((m) => command.tags?.has(m)));
    this.scope.set(name, applyModifiers(value, modifiers), command.pos);
  }

  /** RFC 6609 §3.2: run another script of the user (or a global one) in its own variable scope. */
  private include(command: CommandNode, name: string): void {
    const location: ScriptLocation = command.tags?.has('global') ? 'global' : 'personal';
    const id = `${location}:${name}`;
    if (command.tags?.has('once') && this.included.has(id)) return;
    if (this.includeStack.includes(id)) throw new SieveRuntimeError(`include loop through "${name}"`, command.pos);
    if (this.includeStack.length >= this.limits.maxIncludeDepth) {
      throw new SieveRuntimeError(`includes nested deeper than ${this.limits.maxIncludeDepth}`, command.pos);
    }
    if (++this.includes > this.limits.maxIncludes) {
      throw new SieveRuntimeError(`more than ${this.limits.maxIncludes} includes`, command.pos);
    }
    const script = this.loadInclude(command, id, name, location);
    if (!script) return;
    this.included.add(id);
    this.runIncluded(script, id);
  }

  private loadInclude(command: CommandNode, id: string, name: string, location: ScriptLocation): CompiledScript | null {
    const cached = this.includeCache.get(id);
    if (cached) return cached;
    const text = this.context.resolveScript?.(name, location) ?? null;
    if (text === null) {
      if (command.tags?.has('optional')) return null;
      throw new SieveRuntimeError(`included script "${name}" (${location}) does not exist`, command.pos);
    }
    try {
      const compiled = validateScript(parseScript(text, this.limits), this.limits);
      this.includeCache.set(id, compiled);
      return compiled;
    } catch (err) {
      if (err instanceof SieveSyntaxError) {
        throw new SieveRuntimeError(`included script "${name}": ${err.message}`, command.pos);
      }
      throw err;
    }
  }

  private runIncluded(script: CompiledScript, id: string): void {
    const saved = { scope: this.scope, capabilities: this.capabilities };
    this.scope = new Scope(this.globals, this.limits, script.capabilities.has('variables'));
    this.capabilities = script.capabilities;
    this.includeStack.push(id);
    try {
      this.block(script.commands);
    } catch (err) {
      if (!(err instanceof ReturnSignal)) throw err;
    } finally {
      this.includeStack.pop();
      this.scope = saved.scope;
      this.capabilities = saved.capabilities;
    }
  }
}

/** Splits flag strings on spaces and drops repeats, compared case-insensitively (RFC 5232 §3). */
export function splitFlags(values: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const flag of values.flatMap((v) => v.split(' '))) {
    if (flag === '' || seen.has(flag.toLowerCase())) continue;
    seen.add(flag.toLowerCase());
    out.push(flag);
  }
  return out;
}

/** RFC 5230 §4.2: without :handle, replies made from the same parameters share a handle. */
function derivedHandle(reason: string, subject: string | null, from: string | null, mime: boolean): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([reason, subject, from, mime]));
  return `auto:${hash.digest('hex').slice(0, 32)}`;
}
