// Which log lines are code bugs: error level and above, reportError's "code bug" line, or an error that
// @mailyard/errors classifies as a code bug. Recording through real loggers is tested in @mailyard/testkit's
// code-bugs.test.ts, where the global check can be told to expect it.
import { InputSyntaxError, ServerError, TryAgainLaterError } from '@mailyard/errors';
import { describe, expect, test } from 'vitest';
import { isCodeBugLine } from './code-bugs.js';

const ERROR = 50;
const WARN = 40;

describe('isCodeBugLine', () => {
  test('reportError\'s "code bug" line at error level is one', () => {
    expect(isCodeBugLine(ERROR, 'code bug', {})).toBe(true);
    expect(isCodeBugLine(60, 'code bug', {})).toBe(true);
  });

  test('an error-level line carrying a programming error is one, whatever its message', () => {
    expect(isCodeBugLine(ERROR, 'spool drain failed', { err: new TypeError('x is undefined') })).toBe(true);
    expect(isCodeBugLine(ERROR, 'failed', { error: new ServerError('broken invariant') })).toBe(true);
    expect(isCodeBugLine(ERROR, 'failed', { err: new Error('plain') })).toBe(true);
  });

  test('expected failures, lower levels and lines without an error are not', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isCodeBugLine(ERROR, 'client went away', { err: reset })).toBe(false);
    expect(isCodeBugLine(ERROR, 'busy', { err: new TryAgainLaterError('busy') })).toBe(false);
    expect(isCodeBugLine(ERROR, 'bad input', { err: new InputSyntaxError('bad') })).toBe(false);
    expect(isCodeBugLine(ERROR, 'did not stop in time', { shutdownTimeoutMs: 30_000 })).toBe(false);
    expect(isCodeBugLine(WARN, 'code bug', { err: new TypeError('x') })).toBe(false);
  });
});
