// The process-wide record of code bugs that were logged. Every logger made by createLogger feeds it, so a test
// run can fail when any code bug was logged anywhere in the process (mox fails its suite when its panic counter
// moved). A line is a code bug when it is logged at error level or above and either is the "code bug" line of
// @mailyard/errors' reportError, or carries an `err`/`error` that @mailyard/errors classifies as a code bug
// (isCodeBug): a TypeError logged as "spool drain failed" is a code bug, an ECONNRESET logged at error level is not.
//
// The record lives on globalThis under a registered symbol, so the source and built copies of this module (vitest
// resolves source, child tools may load dist) share one record per process.
import { format } from 'node:util';
import { isCodeBug } from '@mailyard/errors';

/** The message reportError logs code bugs with. */
export const CODE_BUG_MESSAGE = 'code bug';

/** pino's numeric level for `error`. */
const ERROR_LEVEL = 50;

/** Lines kept for the report; the count keeps going past it. */
const KEPT_LINES = 100;

/** A code bug as logged: the message, the logged fields and where it was logged from. */
export interface CodeBugLine {
  msg: string;
  level: number;
  /** The logged error's type and message, when one was logged. */
  error?: string;
  /** The error's stack, when one was logged. */
  stack?: string;
  /** The logged object's other fields, shallow, as given. */
  fields: Record<string, unknown>;
}

interface CodeBugRecord {
  count: number;
  lines: CodeBugLine[];
}

const KEY = Symbol.for('mailyard.logger.codeBugs');

function record(): CodeBugRecord {
  const holder = globalThis as { [KEY]?: CodeBugRecord };
  holder[KEY] ??= { count: 0, lines: [] };
  return holder[KEY];
}

/** How many code bugs this process has logged so far (never reset; compare before and after). */
export function codeBugCount(): number {
  return record().count;
}

/** The code-bug lines logged since `count` was read from codeBugCount() (at most the last 100 are kept). */
export function codeBugsSince(count: number): CodeBugLine[] {
  const { count: now, lines } = record();
  const fresh = now - count;
  return fresh <= 0 ? [] : lines.slice(-Math.min(fresh, lines.length));
}

/** Adds a code bug to the record; createLogger calls it, and so may a test reading a child process's log lines. */
export function recordCodeBug(line: CodeBugLine): void {
  const r = record();
  r.count += 1;
  r.lines.push(line);
  if (r.lines.length > KEPT_LINES) r.lines.splice(0, r.lines.length - KEPT_LINES);
}

function errorOf(fields: Record<string, unknown>): unknown {
  return fields.err ?? fields.error;
}

/** Whether a line with this level, message and fields reports a code bug (see the module comment). */
export function isCodeBugLine(level: number, msg: unknown, fields: Record<string, unknown>): boolean {
  if (level < ERROR_LEVEL) return false;
  if (msg === CODE_BUG_MESSAGE) return true;
  const err = errorOf(fields);
  return err !== undefined && isCodeBug(err);
}

function describeError(err: unknown): Pick<CodeBugLine, 'error' | 'stack'> {
  if (err instanceof Error) return { error: `${err.name}: ${err.message}`, ...(err.stack ? { stack: err.stack } : {}) };
  if (err !== null && typeof err === 'object') {
    const { type, message, stack } = err as { type?: unknown; message?: unknown; stack?: unknown };
    const error = `${String(type ?? 'Error')}: ${String(message ?? '')}`;
    return typeof stack === 'string' ? { error, stack } : { error };
  }
  return err === undefined ? {} : { error: String(err) };
}

/** pino's message for a call without one: the logged Error's message. */
function messageOf(first: unknown): string {
  return first instanceof Error ? first.message : '';
}

/** The arguments of one pino log call, as its logMethod hook sees them: (obj?, msg?, ...interpolation). */
export function noteLogCall(args: unknown[], level: number): void {
  if (level < ERROR_LEVEL) return;
  const [first, second, ...interpolated] = args;
  const fields = first !== null && typeof first === 'object' && !(first instanceof Error) ? first : {};
  const fieldsObject = fields as Record<string, unknown>;
  const loggedError = first instanceof Error ? first : errorOf(fieldsObject);
  const msg =
    typeof first === 'string'
      ? format(first, ...args.slice(1))
      : typeof second === 'string'
        ? format(second, ...interpolated)
        : messageOf(first);
  const withError = loggedError === undefined ? fieldsObject : { ...fieldsObject, err: loggedError };
  if (!isCodeBugLine(level, msg, withError)) return;
  const { err: _err, error: _error, ...rest } = fieldsObject;
  recordCodeBug({ msg, level, ...describeError(loggedError), fields: rest });
}
