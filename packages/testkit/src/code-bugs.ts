/**
 * The code-bug check of every test (STYLE.md item 15): a test fails when a code bug was logged while it ran,
 * unless it declared that it provokes exactly that many on purpose with expectCodeBugs(n). The count comes from
 * @mailyard/logger, which records every code bug any of its loggers writes in this process; the vitest setup file
 * (test/setup/code-bugs.ts) calls beforeTest/afterTest/afterFile around every test of every file.
 *
 * Child processes log into their own process: a test that spawns one feeds its JSON log lines to
 * noteChildLogLine, so a code bug there fails the test too.
 */
import { type CodeBugLine, codeBugCount, codeBugsSince, isCodeBugLine, recordCodeBug } from '@mailyard/logger';

interface CheckState {
  /** The count at the last check; what is logged after it belongs to the next check. */
  checked: number;
  /** Code bugs the running test declared it provokes. */
  expected: number;
}

const KEY = Symbol.for('mailyard.testkit.codeBugCheck');

function state(): CheckState {
  const holder = globalThis as { [KEY]?: CheckState };
  holder[KEY] ??= { checked: codeBugCount(), expected: 0 };
  return holder[KEY];
}

/**
 * Declares that the running test provokes exactly `count` code bugs on purpose (a hook that throws a TypeError
 * to prove the client gets a generic error); the check then fails when a different number was logged.
 */
export function expectCodeBugs(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new Error(`expectCodeBugs: ${count} is not a count`);
  state().expected = count;
}

function describeLines(lines: CodeBugLine[]): string {
  return lines
    .map((line) => {
      const fields = Object.keys(line.fields).length > 0 ? ` ${JSON.stringify(line.fields).slice(0, 500)}` : '';
      return `- ${line.msg}: ${line.error ?? '(no error logged)'}${fields}\n${line.stack ?? ''}`.trimEnd();
    })
    .join('\n');
}

/** Takes the code bugs logged since the last check and marks them checked. */
function takeFresh(): { count: number; lines: CodeBugLine[] } {
  const s = state();
  const now = codeBugCount();
  const count = now - s.checked;
  const lines = codeBugsSince(s.checked);
  s.checked = now;
  return { count, lines };
}

/** Before each test: code bugs logged since the last check (in beforeAll, or after a test ended) fail it. */
export function beforeTest(): void {
  state().expected = 0;
  const { count, lines } = takeFresh();
  if (count > 0) {
    throw new Error(
      `${count} code bug(s) logged before this test began (beforeAll or an earlier test's leftovers):\n${describeLines(lines)}`,
    );
  }
}

/** After each test (after its own afterEach hooks): the code bugs it logged must be the ones it declared. */
export function afterTest(): void {
  const s = state();
  const expected = s.expected;
  s.expected = 0;
  const { count, lines } = takeFresh();
  if (count === expected) return;
  const declared = expected === 0 ? '' : ` (it declared ${expected} with expectCodeBugs)`;
  throw new Error(`${count} code bug(s) logged during this test${declared}:\n${describeLines(lines)}`);
}

/** After the file (after its afterAll hooks): code bugs logged after the last test fail the file. */
export function afterFile(): void {
  const { count, lines } = takeFresh();
  if (count > 0)
    throw new Error(`${count} code bug(s) logged after the last test of this file:\n${describeLines(lines)}`);
}

/**
 * A JSON log line of a child process the test started: recorded like one of this process's own when it reports a
 * code bug (same rule as @mailyard/logger). Lines that are not JSON objects are ignored. Returns whether it was one.
 */
export function noteChildLogLine(text: string): boolean {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return false;
  }
  if (line === null || typeof line !== 'object') return false;
  const { level, msg, err, error, ...fields } = line as Record<string, unknown>;
  const loggedError = (err ?? error) as SerialisedError | undefined;
  if (typeof level !== 'number' || !isChildCodeBug(level, msg, loggedError)) return false;
  recordCodeBug({
    msg: String(msg ?? ''),
    level,
    ...(loggedError ? { error: `${String(loggedError.type)}: ${String(loggedError.message)}` } : {}),
    ...(typeof loggedError?.stack === 'string' ? { stack: loggedError.stack } : {}),
    fields,
  });
  return true;
}

/**
 * A serialised error has lost its class: it is revived as the global Error type its `type` names (with its
 * `code`) and judged by the same rule as in-process lines. Other type names (our own error classes) count only
 * through the "code bug" message, which reportError writes for every code bug.
 */
function isChildCodeBug(level: number, msg: unknown, err: SerialisedError | undefined): boolean {
  return isCodeBugLine(level, msg, err === undefined ? {} : { err: revive(err) });
}

interface SerialisedError {
  type?: unknown;
  message?: unknown;
  stack?: unknown;
  code?: unknown;
}

function revive(err: SerialisedError): Error | undefined {
  const Type = (globalThis as Record<string, unknown>)[String(err.type)];
  const isErrorType = Type === Error || (typeof Type === 'function' && Type.prototype instanceof Error);
  if (!isErrorType) return undefined;
  const revived = new (Type as ErrorConstructor)(String(err.message ?? ''));
  return err.code === undefined ? revived : Object.assign(revived, { code: err.code });
}
