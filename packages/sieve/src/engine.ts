// The engine's entry points: compile (parse and validate) a script once, run it per message.

import type { SieveOutcome } from './actions.js';
import { SieveSyntaxError } from './errors.js';
import { Interpreter } from './interpreter.js';
import { resolveLimits, type SieveLimits } from './limits.js';
import type { SieveContext, SieveMessage } from './message.js';
import { parseScript } from './parser.js';
import { type CompiledScript, validateScript } from './validator.js';

/** Parses and validates a script; throws SieveSyntaxError with line and column. */
export function compileScript(text: string, limits: Partial<SieveLimits> = {}): CompiledScript {
  const resolved = resolveLimits(limits);
  return validateScript(parseScript(text, resolved), resolved);
}

/** ManageSieve CHECKSCRIPT and the API's 400: null when the script is valid, else the first error. */
export function checkScript(text: string, limits: Partial<SieveLimits> = {}): SieveSyntaxError | null {
  try {
    compileScript(text, limits);
    return null;
  } catch (err) {
    if (err instanceof SieveSyntaxError) return err;
    throw err;
  }
}

/** Runs a compiled script; never throws for anything the script does (runtime errors are in the outcome). */
export function runScript(
  script: CompiledScript,
  message: SieveMessage,
  context: SieveContext,
  limits: Partial<SieveLimits> = {},
): SieveOutcome {
  return new Interpreter(script, message, context, resolveLimits(limits)).run();
}
