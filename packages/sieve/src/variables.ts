// Variable scopes (RFC 5229 §3): each script of a run (the main one and each included one) has its own variables
// and match variables; names declared with "global", or written "global.name", live in one map shared by the whole
// run (RFC 6609 §3.4-3.5). Names are case-insensitive. The number of variables per scope is bounded.

import { type Position, SieveRuntimeError } from './errors.js';
import type { SieveLimits } from './limits.js';
import { expandVariables, truncate } from './strings.js';

export class Scope {
  private readonly locals = new Map<string, string>();
  private readonly declaredGlobal = new Set<string>();
  private matches: string[] = [];

  constructor(
    private readonly globals: Map<string, string>,
    private readonly limits: SieveLimits,
    /** False when the script did not require "variables": strings are then taken literally. */
    readonly enabled: boolean,
  ) {}

  declareGlobal(name: string): void {
    this.declaredGlobal.add(name.toLowerCase());
  }

  private target(name: string): [Map<string, string>, string] {
    if (name.startsWith('global.')) return [this.globals, name.slice(7)];
    return this.declaredGlobal.has(name) ? [this.globals, name] : [this.locals, name];
  }

  get(name: string): string {
    if (/^[0-9]+$/.test(name)) return this.matches[Number(name)] ?? '';
    const [map, key] = this.target(name.toLowerCase());
    return map.get(key) ?? '';
  }

  set(name: string, value: string, pos: Position): void {
    const [map, key] = this.target(name.toLowerCase());
    if (!map.has(key) && map.size >= this.limits.maxVariables) {
      throw new SieveRuntimeError(`more than ${this.limits.maxVariables} variables`, pos);
    }
    map.set(key, truncate(value, this.limits.maxStringLength));
  }

  /** Match variables ${0}..${N} of the last successful :matches or :regex (RFC 5229 §3.2). */
  setMatches(values: string[]): void {
    this.matches = values.slice(0, this.limits.maxMatchVariables);
  }

  expand(text: string): string {
    if (!this.enabled) return text;
    return expandVariables(text, (name) => this.get(name), this.limits.maxStringLength);
  }
}
